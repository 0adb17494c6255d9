//! The server function of `/tradeoffs`: live figures from this server next
//! to the benchmark's measured ones (`server::inspect` has both).

use leptos::prelude::*;
use views::tradeoffs::TradeoffsView;

use crate::error::AppError;

#[cfg(feature = "ssr")]
use super::context;

/// Live figures of this server and the benchmark's.
#[server(prefix = "/api", endpoint = "tradeoffs")]
pub async fn tradeoffs() -> Result<TradeoffsView, AppError> {
    use server::inspect::{bundled, live, ThisRequest};
    context::respond(async move {
        let cx = context::request()?;
        let parts = use_context::<http::request::Parts>().ok_or_else(AppError::internal)?;
        let this = ThisRequest::of(&cx.caller, &parts, cx.presented());
        Ok(TradeoffsView {
            live: live(&cx.state, &this),
            measured: bundled(),
        })
    })
    .await
}
