//! The texts of the frame every page shares (the header, its phone menu, landmark names) and of
//! the studio's prompt bar.

pub struct ShellTexts {
    /// Landmark names, read out by screen readers.
    pub nav_main: &'static str,
    pub actions_group: &'static str,
    /// The phone menu's button.
    pub menu: &'static str,
    pub close_menu: &'static str,
    /// The prompt bar's tool buttons and their panels.
    pub images_button: &'static str,
    pub templates_button: &'static str,
    pub options_button: &'static str,
    pub close_panel: &'static str,
    /// The feed's empty state and the example prompts that fill the bar.
    pub empty_title: &'static str,
    pub empty_help: &'static str,
    pub examples: [&'static str; 4],
    pub try_example: &'static str,
    /// The one credit hint of a card's buttons.
    pub each_costs: fn(i64) -> String,
    pub prices_in_credits: &'static str,
    /// A failed card's button, with what it costs again: "Retry · 2 credits".
    pub retry: fn(i64) -> String,
    /// What a follow-up is: "Upscale of picture 2".
    pub lineage: fn(&str, u8) -> String,
    /// The picture viewer.
    pub viewer: ViewerTexts,
    /// The signed-out front page.
    pub landing: LandingTexts,
    /// MidJourney's button labels in this language (English: as they come).
    pub button_labels: &'static [(&'static str, &'static str)],
}

/// The signed-out front page's words.
pub struct LandingTexts {
    pub title: &'static str,
    pub tagline: &'static str,
    pub points: [&'static str; 3],
    pub sign_up: &'static str,
    pub log_in: &'static str,
    /// A fresh installation: its first account sets it up.
    pub set_up: &'static str,
    pub recent: &'static str,
    pub see_gallery: &'static str,
    pub samples: &'static str,
}

/// The full-screen picture viewer's words.
pub struct ViewerTexts {
    pub label: &'static str,
    pub open: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub zoom_in: &'static str,
    pub zoom_out: &'static str,
    pub close: &'static str,
    /// "3 / 7": where this picture is among those the viewer can show.
    pub counter: fn(usize, usize) -> String,
    /// A grid's quadrant: "Picture 2".
    pub quadrant: fn(u8) -> String,
    pub details: &'static str,
    pub keys_help: &'static str,
}

impl ShellTexts {
    /// A button's label as this language says it.
    pub fn button_label<'a>(&self, label: &'a str) -> &'a str {
        self.button_labels
            .iter()
            .find(|(en, _)| en.eq_ignore_ascii_case(label.trim()))
            .map_or(label, |(_, here)| here)
    }
}

pub static EN: ShellTexts = ShellTexts {
    nav_main: "Main",
    actions_group: "Actions",
    menu: "Menu",
    close_menu: "Close the menu",
    images_button: "Images",
    templates_button: "Templates",
    options_button: "Options",
    close_panel: "Close",
    empty_title: "Nothing here yet",
    empty_help: "Write what you want to see in the prompt bar, or start from one of these:",
    examples: [
        "a lighthouse on a cliff at dawn, oil painting, warm light",
        "a red fox curled up in fresh snow, soft morning light, photograph",
        "a cosy ramen shop on a rainy Tokyo street at night, neon reflections",
        "an isometric tiny island with a windmill, pastel colours, 3D render",
    ],
    try_example: "Use this prompt",
    each_costs: |n| format!("{} each", super::en_credits(n)),
    prices_in_credits: "Prices in credits",
    retry: |n| format!("Retry · {}", super::en_credits(n)),
    lineage: |action, n| format!("{action} of picture {n}"),
    landing: LandingTexts {
        title: "Every image model your team uses, in one studio",
        tagline: "Atelier puts MidJourney, OpenAI's image models and your own Stable Diffusion behind one prompt bar, with credits, history, collections and sharing for the whole team.",
        points: [
            "A price on every button, and your balance beside it",
            "Live progress, upscales, variations, zooms and repainting",
            "Everything kept: search, collections, ZIPs and a gallery",
        ],
        sign_up: "Create an account",
        log_in: "Log in",
        set_up: "Set up this installation",
        recent: "Made here lately",
        see_gallery: "See the whole gallery",
        samples: "Sample pictures from the built-in simulators: the first pictures made here will take their place.",
    },
    viewer: ViewerTexts {
        label: "Picture viewer",
        open: "Open large",
        previous: "Previous picture",
        next: "Next picture",
        zoom_in: "Zoom in",
        zoom_out: "Zoom out",
        close: "Close the viewer",
        counter: |i, n| format!("{i} / {n}"),
        quadrant: |n| format!("Picture {n}"),
        details: "Details",
        keys_help: "← → to move, Esc to close",
    },
    button_labels: &[],
};

pub static ZH: ShellTexts = ShellTexts {
    nav_main: "主导航",
    actions_group: "操作",
    menu: "菜单",
    close_menu: "关闭菜单",
    images_button: "图片",
    templates_button: "模板",
    options_button: "参数",
    close_panel: "关闭",
    empty_title: "这里还没有作品",
    empty_help: "在提示词栏写下想看到的画面，或从下面的示例开始：",
    examples: [
        "黎明时分悬崖上的灯塔，油画，温暖的光线",
        "蜷缩在新雪中的红狐狸，柔和的晨光，摄影",
        "雨夜东京街头温馨的拉面店，霓虹倒影",
        "等距视角的小岛，岛上有风车，柔和的色彩，3D 渲染",
    ],
    try_example: "使用这个提示词",
    each_costs: |n| format!("每次 {n} 积分"),
    prices_in_credits: "价格单位：积分",
    retry: |n| format!("重试 · {n} 积分"),
    lineage: |action, n| format!("{action}（第 {n} 张）"),
    landing: LandingTexts {
        title: "团队常用的图像模型，尽在一个工作室",
        tagline: "Atelier 把 MidJourney、OpenAI 图像模型和自建的 Stable Diffusion 放进同一个提示词栏，并为整个团队提供积分、历史、合集与分享。",
        points: [
            "每个按钮都标明价格，余额随时可见",
            "实时进度，放大、变体、缩放与局部重绘",
            "作品全部保留：搜索、合集、ZIP 下载与画廊",
        ],
        sign_up: "注册账号",
        log_in: "登录",
        set_up: "开始配置此安装",
        recent: "最近的作品",
        see_gallery: "浏览整个画廊",
        samples: "以下是内置模拟器绘制的示例图片：这里生成的第一批作品会取代它们。",
    },
    viewer: ViewerTexts {
        label: "图片查看器",
        open: "放大查看",
        previous: "上一张",
        next: "下一张",
        zoom_in: "放大",
        zoom_out: "缩小",
        close: "关闭查看器",
        counter: |i, n| format!("{i} / {n}"),
        quadrant: |n| format!("第 {n} 张"),
        details: "详情",
        keys_help: "← → 切换，Esc 关闭",
    },
    button_labels: &[
        ("Upscale (Subtle)", "高清放大（细微）"),
        ("Upscale (Creative)", "高清放大（创意）"),
        ("Upscale (2x)", "放大 2 倍"),
        ("Upscale (4x)", "放大 4 倍"),
        ("Redo Upscale (Subtle)", "重新放大（细微）"),
        ("Redo Upscale (Creative)", "重新放大（创意）"),
        ("Vary (Subtle)", "细微变化"),
        ("Vary (Strong)", "强烈变化"),
        ("Vary (Region)", "局部重绘"),
        ("Zoom Out 2x", "缩小 2 倍"),
        ("Zoom Out 1.5x", "缩小 1.5 倍"),
        ("Custom Zoom", "自定义缩放"),
        ("Make Square", "扩展为方形"),
        ("Make Variations", "生成变体"),
        ("Favorite", "收藏"),
        ("Web", "网页"),
    ],
};
