//! How data travels between the server and the hydrated pages: postcard, a compact binary form of
//! serde, for server functions, their errors and the page data handed over with a page.
//!
//! One codec for all of it keeps one decoder per type in the WASM (a task card arrives with the
//! page and with each poll), and postcard's decoder is much smaller than JSON's: fields travel in
//! declaration order, so no field names, no floats-as-text and no buffering of tagged enums are
//! compiled in. The price: both sides must agree on the field order, and a type that crosses the
//! wire may not skip fields (`skip_serializing_if`) or need a self-describing format (`flatten`,
//! `untagged`, internally tagged enums). Scripts use the JSON API of `rest-api.md`, not these.

use leptos::{
    prelude::Resource,
    server::codee::{Decoder, Encoder},
};
use serde::{Serialize, de::DeserializeOwned};

/// Page data in postcard (server functions use server_fn's `Postcard`, the same bytes).
pub struct PagePostcard;

impl<T: Serialize> Encoder<T> for PagePostcard {
    type Error = postcard::Error;
    type Encoded = Vec<u8>;

    fn encode(val: &T) -> Result<Vec<u8>, postcard::Error> {
        postcard::to_allocvec(val)
    }
}

impl<T: DeserializeOwned> Decoder<T> for PagePostcard {
    type Error = postcard::Error;
    type Encoded = [u8];

    fn decode(val: &[u8]) -> Result<T, postcard::Error> {
        postcard::from_bytes(val)
    }
}

/// A page's data: loaded while the server renders, handed to the browser in the page (postcard,
/// in base64).
pub type PageData<T> = Resource<T, PagePostcard>;

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
