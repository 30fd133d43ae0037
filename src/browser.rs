//! The few things pages need from the browser (and their server-side stand-ins during SSR).

/// Milliseconds since the epoch, now.
pub fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_millis() as f64)
    }
}

/// Milliseconds since the epoch of an RFC 3339 time. In the browser, its own date parser (keeps
/// the `time` crate out of the WASM).
#[cfg(feature = "hydrate")]
pub fn parse_ms(rfc3339: &str) -> Option<f64> {
    let ms = js_sys::Date::parse(rfc3339);
    (!ms.is_nan()).then_some(ms)
}

/// Milliseconds since the epoch of an RFC 3339 time.
#[cfg(not(feature = "hydrate"))]
pub fn parse_ms(rfc3339: &str) -> Option<f64> {
    let t = time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .ok()?;
    Some((t.unix_timestamp_nanos() / 1_000_000) as f64)
}

/// "2026-11-28 10:00" (UTC) from an RFC 3339 time.
pub fn short_time(rfc3339: &str) -> String {
    rfc3339
        .get(..16)
        .map_or_else(|| rfc3339.to_owned(), |s| s.replace('T', " "))
}

/// A time as the browser's clock and language show it ("7 Dec 2026, 14:05"); on the server,
/// where the reader's time zone is unknown, `None`.
pub fn local_time(rfc3339: &str, lang: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let ms = parse_ms(rfc3339)?;
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
        let options = js_sys::Object::new();
        let set = |k: &str, v: &str| {
            let _ = js_sys::Reflect::set(&options, &k.into(), &v.into());
        };
        set("dateStyle", "medium");
        set("timeStyle", "short");
        Some(String::from(date.to_locale_string(lang, &options)))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (rfc3339, lang);
        None
    }
}

/// True while the tab is in the background.
pub fn page_hidden() -> bool {
    #[cfg(feature = "hydrate")]
    {
        leptos::prelude::document().hidden()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        false
    }
}

/// Puts text on the clipboard (best effort).
pub fn copy_text(text: &str) {
    #[cfg(feature = "hydrate")]
    {
        let _ = leptos::prelude::window()
            .navigator()
            .clipboard()
            .write_text(text);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = text;
}

/// The page's origin (`https://atelier.example.com`); empty without a browser.
pub fn origin() -> String {
    #[cfg(feature = "hydrate")]
    {
        leptos::prelude::window()
            .location()
            .origin()
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::new()
    }
}

/// Asks the user to confirm (the browser's own dialog). True without a browser.
pub fn confirm(question: &str) -> bool {
    #[cfg(feature = "hydrate")]
    {
        leptos::prelude::window()
            .confirm_with_message(question)
            .unwrap_or(false)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = question;
        true
    }
}

/// After a panic (the WASM stops for good: a page chunk that no longer exists after an update, or
/// a bug), tells the user, in the page's language, and offers a full reload. Plain DOM calls: the
/// reactive system may be what failed. The link is `rel="external"` so that it is a real page load.
#[cfg(feature = "hydrate")]
pub fn show_crash_notice() {
    let doc = leptos::prelude::document();
    if doc.get_element_by_id("crash-notice").is_some() {
        return;
    }
    let lang = doc
        .document_element()
        .and_then(|html| html.get_attribute("lang"))
        .and_then(|tag| crate::i18n::Lang::from_tag(&tag))
        .unwrap_or(crate::i18n::Lang::En);
    let t = lang.texts();
    let (Ok(notice), Ok(link), Some(body)) = (
        doc.create_element("div"),
        doc.create_element("a"),
        doc.body(),
    ) else {
        return;
    };
    let _ = notice.set_attribute("id", "crash-notice");
    let _ = notice.set_attribute("role", "alert");
    let _ = notice.set_attribute(
        "class",
        "fixed inset-x-0 top-0 z-50 flex flex-wrap items-center justify-center gap-3 bg-amber-100 px-4 py-3 text-sm text-amber-900 shadow dark:bg-amber-900 dark:text-amber-100",
    );
    notice.set_text_content(Some(t.crash_notice));
    let here = leptos::prelude::window()
        .location()
        .href()
        .unwrap_or_else(|_| "/".into());
    let _ = link.set_attribute("href", &here);
    let _ = link.set_attribute("rel", "external");
    let _ = link.set_attribute(
        "class",
        "rounded bg-amber-800 px-3 py-1 font-medium text-white",
    );
    link.set_text_content(Some(t.reload));
    let _ = notice.append_child(&link);
    let _ = body.append_child(&notice);
}

/// Moves the keyboard focus to the element with this id, if there is one.
pub fn focus(id: &str) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(el) = leptos::prelude::document()
            .get_element_by_id(id)
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

/// Scrolls the first element matching this CSS selector into the middle of the screen (smoothly,
/// unless the user asked for less motion), so a new result is where the eye is.
pub fn scroll_to(selector: &str) {
    #[cfg(feature = "hydrate")]
    {
        if let Ok(Some(el)) = leptos::prelude::document().query_selector(selector) {
            let options = web_sys::ScrollIntoViewOptions::new();
            options.set_block(web_sys::ScrollLogicalPosition::Center);
            let reduced = leptos::prelude::window()
                .match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
                .is_some_and(|m| m.matches());
            if !reduced {
                options.set_behavior(web_sys::ScrollBehavior::Smooth);
            }
            el.scroll_into_view_with_scroll_into_view_options(&options);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = selector;
}

#[cfg(feature = "hydrate")]
thread_local! {
    /// What had the focus when a dialog opened, to give it back when it closes.
    static OPENER: std::cell::RefCell<Option<web_sys::HtmlElement>> = const { std::cell::RefCell::new(None) };
}

/// Remembers what has the keyboard focus now (a dialog is opening).
pub fn remember_focus() {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let el = leptos::prelude::document()
            .active_element()
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        OPENER.with(|o| *o.borrow_mut() = el);
    }
}

/// Gives the focus back to what had it when `remember_focus` was called.
pub fn restore_focus() {
    #[cfg(feature = "hydrate")]
    OPENER.with(|o| {
        if let Some(el) = o.borrow_mut().take()
            && el.is_connected()
        {
            let _ = el.focus();
        }
    });
}

/// Stops (or lets again) the page behind a full-screen dialog scroll.
pub fn lock_scroll(on: bool) {
    #[cfg(feature = "hydrate")]
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body
            .style()
            .set_property("overflow", if on { "hidden" } else { "" });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = on;
}

/// Keeps Tab inside the element matching `selector` (a modal dialog): from its last control to
/// its first, and with Shift from its first to its last. True when it moved the focus itself.
pub fn wrap_tab(selector: &str, backwards: bool) -> bool {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let document = leptos::prelude::document();
        let Ok(Some(root)) = document.query_selector(selector) else {
            return false;
        };
        let Ok(list) = root.query_selector_all(
            "a[href], button:not([disabled]), input:not([disabled]), select, textarea, [tabindex=\"0\"]",
        ) else {
            return false;
        };
        let controls: Vec<web_sys::HtmlElement> = (0..list.length())
            .filter_map(|i| list.item(i))
            .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
            // Shown ones only (a hidden control cannot take the focus).
            .filter(|e| e.offset_parent().is_some())
            .collect();
        let (Some(first), Some(last)) = (controls.first(), controls.last()) else {
            return false;
        };
        let active = document.active_element();
        let at = |e: &web_sys::HtmlElement| {
            active
                .as_ref()
                .is_some_and(|a| a == e.unchecked_ref::<web_sys::Element>())
        };
        let outside = !active.as_ref().is_some_and(|a| root.contains(Some(a)));
        let to = if backwards && (at(first) || outside) {
            last
        } else if !backwards && (at(last) || outside) {
            first
        } else {
            return false;
        };
        let _ = to.focus();
        true
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (selector, backwards);
        false
    }
}
