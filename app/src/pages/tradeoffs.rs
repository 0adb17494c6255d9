//! `/tradeoffs` (public): the eight claims the session-vs-JWT comparison
//! rests on, each beside a live figure from this server and the figure the
//! benchmark measured.

mod rows;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::tradeoffs::tradeoffs;
use crate::components::awaited::awaited;
use crate::AuthEpoch;

/// The trade-offs page.
#[component]
pub fn TradeoffsPage() -> impl IntoView {
    let epoch = expect_context::<AuthEpoch>();
    let data = Resource::new(move || epoch.0.get(), |_| tradeoffs());
    view! {
        <Title text="Trade-offs" />
        <section class="hero">
            <h1>"Sessions or JWT: what each costs"</h1>
            <p class="lead">
                "Eight claims the comparison rests on. Each is shown live by this server, on this "
                "request, and beside it what the benchmark measured."
            </p>
        </section>
        <Transition fallback=|| view! { <p class="status">"Loading…"</p> }>
            {awaited(move || async move {
                match data.await {
                    Ok(t) => {
                        let source = match &t.measured {
                            Some(m) => format!(
                                "Measured: scripts/bench.sh and cargo bench on {}, {} \
                                 (docs/PERFORMANCE.md explains each figure).",
                                m.date, m.machine
                            ),
                            None => "The benchmark's figures could not be read.".to_string(),
                        };
                        let live = format!(
                            "Live: {}, device sessions in {}, answered by {}.",
                            t.live.mode.name(), t.live.store, t.live.instance
                        );
                        view! {
                            <section class="card">
                                <p data-testid="live-source">{live}</p>
                                <p class="hint" data-testid="measured-source">{source}</p>
                                <div class="table-scroll">
                                    <table class="tradeoffs">
                                        <caption class="visually-hidden">"The eight claims, live and measured"</caption>
                                        <thead>
                                            <tr>
                                                <th scope="col">"Claim"</th>
                                                <th scope="col">"Live on this server"</th>
                                                <th scope="col">"Measured"</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {rows::rows(&t).into_iter().enumerate().map(|(n, r)| view! {
                                                <tr data-testid="claim">
                                                    <th scope="row">
                                                        <span class="claim-number">{format!("{}. ", n + 1)}</span>
                                                        {r.claim}
                                                        <span class="hint claim-why">{r.why}</span>
                                                    </th>
                                                    <td data-label="Live on this server" data-testid="live">{r.live}</td>
                                                    <td data-label="Measured" data-testid="measured">
                                                        <ul class="figures">
                                                            {r.measured.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
                                                        </ul>
                                                    </td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                {t.measured.as_ref().and_then(|m| m.first_visit.clone()).map(|line| view! {
                                    <p class="hint" data-testid="first-visit">{line}</p>
                                })}
                            </section>
                        }.into_any()
                    }
                    Err(e) => view! { <p class="form-error" role="alert">{e.message}</p> }.into_any(),
                }
            })}
        </Transition>
        <p class="aside"><A href="/inspect">"See your own request in the inspector"</A></p>
    }
}
