//! The texts of the library: collections, selection and bulk operations in history, templates.

pub struct LibraryTexts {
    pub nav_collections: &'static str,
    pub collections_title: &'static str,
    pub collections_intro: &'static str,
    pub collections_empty: &'static str,
    pub new_collection: &'static str,
    pub field_description: &'static str,
    pub create: &'static str,
    pub save: &'static str,
    pub pictures: fn(i64) -> String,
    /// The menu of a picture: which collections it is in.
    pub collect: &'static str,
    pub collect_title: &'static str,
    pub new_collection_name: &'static str,
    pub add: &'static str,
    pub no_collections_yet: &'static str,
    pub edit_collection: &'static str,
    pub delete_collection: &'static str,
    pub delete_collection_confirm: &'static str,
    pub make_cover: &'static str,
    pub cover: &'static str,
    pub filter_collection: &'static str,
    pub all_pictures: &'static str,
    pub batch: &'static str,
    pub batch_header: &'static str,
    pub all_history: &'static str,
    pub select: fn(&str) -> String,
    pub selected: fn(usize) -> String,
    pub select_all: &'static str,
    pub clear_selection: &'static str,
    pub selection_help: &'static str,
    pub bulk_label: &'static str,
    pub bulk_favorite: &'static str,
    pub bulk_unfavorite: &'static str,
    pub bulk_add: &'static str,
    pub bulk_remove: &'static str,
    pub bulk_retry: &'static str,
    pub bulk_download: &'static str,
    pub bulk_delete: &'static str,
    pub bulk_delete_confirm: fn(usize) -> String,
    pub bulk_done: fn(usize, usize) -> String,
    pub choose_collection: &'static str,
    pub cancel: &'static str,
    pub templates: &'static str,
    pub template: &'static str,
    pub choose_template: &'static str,
    pub yours: &'static str,
    pub shared_templates: &'static str,
    pub use_template: &'static str,
    pub delete_template: &'static str,
    pub save_template: &'static str,
    pub template_name: &'static str,
    pub share_everyone: &'static str,
    pub template_saved: &'static str,
    pub fill_in: &'static str,
    pub recent: &'static str,
    pub no_recent: &'static str,
}

pub static EN: LibraryTexts = LibraryTexts {
    nav_collections: "Collections",
    collections_title: "Collections",
    collections_intro: "Sets of your pictures: put a picture in from its “Collect” menu, or many at once from history.",
    collections_empty: "No collections yet.",
    new_collection: "New collection",
    field_description: "Description",
    create: "Create",
    save: "Save",
    pictures: |n| {
        if n == 1 {
            "1 picture".into()
        } else {
            format!("{n} pictures")
        }
    },
    collect: "Collect",
    collect_title: "In collections",
    new_collection_name: "Name of a new collection",
    add: "Add",
    no_collections_yet: "No collections yet: name one to make it.",
    edit_collection: "Edit collection",
    delete_collection: "Delete collection",
    delete_collection_confirm: "Delete this collection? Its pictures stay in your history.",
    make_cover: "Make cover",
    cover: "Cover",
    filter_collection: "Collection",
    all_pictures: "All pictures",
    batch: "Batch",
    batch_header: "The tasks of one batch",
    all_history: "All history",
    select: |prompt| format!("Select: {prompt}"),
    selected: |n| {
        if n == 1 {
            "1 selected".into()
        } else {
            format!("{n} selected")
        }
    },
    select_all: "Select all on this page",
    clear_selection: "Clear selection",
    selection_help: "Shift-click, or Shift+Space, selects everything from the last one chosen.",
    bulk_label: "With the selected",
    bulk_favorite: "Favourite",
    bulk_unfavorite: "Unfavourite",
    bulk_add: "Add to collection",
    bulk_remove: "Remove from this collection",
    bulk_retry: "Retry failed",
    bulk_download: "Download ZIP",
    bulk_delete: "Delete",
    bulk_delete_confirm: |n| {
        if n == 1 {
            "Delete this task and its pictures? This cannot be undone.".into()
        } else {
            format!("Delete these {n} tasks and their pictures? This cannot be undone.")
        }
    },
    bulk_done: |done, failed| {
        if failed == 0 {
            format!("Done for {done}.")
        } else {
            format!("Done for {done}; {failed} could not be changed.")
        }
    },
    choose_collection: "Choose a collection",
    cancel: "Cancel",
    templates: "Templates",
    template: "Template",
    choose_template: "Choose a template",
    yours: "Yours",
    shared_templates: "Shared",
    use_template: "Use template",
    delete_template: "Delete template",
    save_template: "Save as template",
    template_name: "Template name",
    share_everyone: "Share with everyone",
    template_saved: "Saved as a template.",
    fill_in: "Fill in its blanks:",
    recent: "Recent prompts",
    no_recent: "Nothing yet: your prompts show here once you have generated.",
};

pub static ZH: LibraryTexts = LibraryTexts {
    nav_collections: "合集",
    collections_title: "合集",
    collections_intro: "把作品归类：在图片的“收藏到”菜单中加入合集，或在历史记录中一次加入多张。",
    collections_empty: "还没有合集。",
    new_collection: "新建合集",
    field_description: "描述",
    create: "创建",
    save: "保存",
    pictures: |n| format!("{n} 张图片"),
    collect: "收藏到",
    collect_title: "所在合集",
    new_collection_name: "新合集的名称",
    add: "添加",
    no_collections_yet: "还没有合集：输入名称即可创建。",
    edit_collection: "编辑合集",
    delete_collection: "删除合集",
    delete_collection_confirm: "删除这个合集？其中的图片仍保留在历史记录中。",
    make_cover: "设为封面",
    cover: "封面",
    filter_collection: "合集",
    all_pictures: "全部图片",
    batch: "批量",
    batch_header: "同一批次的任务",
    all_history: "全部历史",
    select: |prompt| format!("选择：{prompt}"),
    selected: |n| format!("已选择 {n} 项"),
    select_all: "全选本页",
    clear_selection: "取消选择",
    selection_help: "按住 Shift 点击（或 Shift+空格）可选中从上一次选择到此处的全部项。",
    bulk_label: "对所选项",
    bulk_favorite: "收藏",
    bulk_unfavorite: "取消收藏",
    bulk_add: "加入合集",
    bulk_remove: "移出此合集",
    bulk_retry: "重试失败的",
    bulk_download: "下载 ZIP",
    bulk_delete: "删除",
    bulk_delete_confirm: |n| format!("删除这 {n} 个任务及其图片？此操作无法撤销。"),
    bulk_done: |done, failed| {
        if failed == 0 {
            format!("已完成 {done} 项。")
        } else {
            format!("已完成 {done} 项；{failed} 项未能更改。")
        }
    },
    choose_collection: "选择合集",
    cancel: "取消",
    templates: "模板",
    template: "模板",
    choose_template: "选择模板",
    yours: "我的",
    shared_templates: "共享",
    use_template: "使用模板",
    delete_template: "删除模板",
    save_template: "存为模板",
    template_name: "模板名称",
    share_everyone: "共享给所有人",
    template_saved: "已存为模板。",
    fill_in: "填写空白处：",
    recent: "最近的提示词",
    no_recent: "暂无：生成之后，你的提示词会显示在这里。",
};
