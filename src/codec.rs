//! How page data travels from the server render to the hydrating browser.
//!
//! Leptos's default codec for resources decodes JSON from a `&str`, server functions decode it
//! from bytes: every type that arrives both ways (a task card comes with the page and with each
//! poll) would be compiled into the WASM twice, once per reader. This codec reads resources from
//! bytes too, so one decoder per type serves both.

use leptos::{
    prelude::Resource,
    server::codee::{Decoder, Encoder},
};
use serde::{Serialize, de::DeserializeOwned};

/// JSON, decoded the way server functions decode it.
pub struct Json;

impl<T: Serialize> Encoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(val: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(val)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(val: &str) -> Result<T, serde_json::Error> {
        serde_json::from_slice(val.as_bytes())
    }
}

/// A page's data: loaded while the server renders, handed to the browser in the page.
pub type PageData<T> = Resource<T, Json>;

/// Page data the server waits for before it sends the page (what the page is about).
pub fn page_data<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> PageData<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: Send + Sync + Clone + PartialEq + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    PageData::new_with_options(source, fetcher, true)
}
