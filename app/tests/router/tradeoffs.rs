//! `/tradeoffs`: the eight claims, each with a live figure from this server
//! and a measured one from the bundled benchmark run.

use super::*;

async fn names_every_claim_with_both_figures(app: TestApp) {
    let b = app.browser();
    b.sign_up("alice", "correct-horse").await;
    let r = b.get("/tradeoffs").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body.matches("data-testid=\"claim\"").count(), 8);
    assert_eq!(r.body.matches("data-testid=\"live\"").count(), 8);
    assert_eq!(r.body.matches("data-testid=\"measured\"").count(), 8);
    assert!(
        !r.body.contains("Not in the bundled run"),
        "every claim has a measured figure"
    );
    let instance = app.state.config.instance_name();
    assert!(r.body.contains(&format!("answered by {instance}")));
    // The live figures are this request's: the signed-in cookie bytes.
    let bytes: usize = b.cookies().iter().map(|(n, v)| n.len() + 1 + v.len()).sum();
    assert!(
        r.body.contains(&format!("{bytes} bytes of auth cookies")),
        "{bytes} bytes not shown"
    );
}

both_modes!(names_every_claim_with_both_figures);
