use super::records::ALPHABET;
use super::*;
use crate::auth::Amr;
use crate::redis_client::RedisClient;

const NOW: i64 = 1_800_000_000;
const INTERVAL: i64 = 5;
const KEY: Option<&str> = Some("thumbprint");

fn asked() -> DeviceRequest {
    DeviceRequest {
        client_id: "latchkey-cli".into(),
        resource: Some("http://notes.example".into()),
        key: Some("thumbprint".into()),
        ip: Some("203.0.113.7".into()),
        user_agent: Some("latchkey-cli/0.1.0".into()),
        created_at: 0,
        expires_at: 0,
    }
}

fn approve() -> Decision {
    Decision::Approve {
        user_id: "u1".into(),
        amr: Amr::Swk,
    }
}

/// A request through its life, in `store`: pending, polled too soon,
/// approved once, its tokens handed out once; another denied; another
/// expired.
async fn a_request_lives_once(store: SharedStore) {
    let clock = Clock::manual(NOW);
    let codes = DeviceCodes::new(&store, clock.clone(), INTERVAL);
    let begun = codes.begin(asked()).await.unwrap();
    assert_eq!(
        (begun.expires_in, begun.interval),
        (LIFETIME_SECS, INTERVAL)
    );
    let shown = begun.user_code.to_string();
    let typed = UserCode::parse(&shown.to_lowercase()).unwrap();
    let pending = codes.pending(&typed).await.unwrap().unwrap();
    assert_eq!(pending.client_id, "latchkey-cli");
    assert_eq!(pending.expires_at, NOW + LIFETIME_SECS);
    assert_eq!(pending.key.as_deref(), Some("thumbprint"));

    // The first poll may come at once; the next one too soon is told to
    // slow down, and the interval grows for good.
    assert_eq!(
        codes.poll(&begun.device_code, KEY, None).await.unwrap(),
        Poll::Pending
    );
    assert_eq!(
        codes.poll(&begun.device_code, KEY, None).await.unwrap(),
        Poll::SlowDown(INTERVAL + SLOW_DOWN_SECS)
    );
    clock.advance(INTERVAL);
    assert!(matches!(
        codes.poll(&begun.device_code, KEY, None).await.unwrap(),
        Poll::SlowDown(_)
    ));
    // Now 15 s: a poll that waits that long is answered.
    clock.advance(INTERVAL + 2 * SLOW_DOWN_SECS);
    assert_eq!(
        codes.poll(&begun.device_code, KEY, None).await.unwrap(),
        Poll::Pending
    );

    // Only the key that asked, for the service it asked for, may poll;
    // others change nothing.
    clock.advance(INTERVAL);
    let code = &begun.device_code;
    assert_eq!(codes.poll(code, None, None).await.unwrap(), Poll::WrongKey);
    assert_eq!(
        codes.poll(code, Some("other"), None).await.unwrap(),
        Poll::WrongKey
    );
    let elsewhere = Some("http://other.example");
    assert_eq!(
        codes.poll(code, KEY, elsewhere).await.unwrap(),
        Poll::OtherResource
    );

    // Decided once; the first answer stands.
    assert!(codes.decide(&typed, approve()).await.unwrap());
    assert!(!codes.decide(&typed, Decision::Deny).await.unwrap());
    assert_eq!(codes.pending(&typed).await.unwrap(), None);
    clock.advance(INTERVAL + SLOW_DOWN_SECS);
    match codes
        .poll(code, KEY, Some("http://notes.example"))
        .await
        .unwrap()
    {
        Poll::Approved {
            request,
            user_id,
            amr,
        } => {
            assert_eq!((user_id.as_str(), amr), ("u1", Amr::Swk));
            assert_eq!(request.resource.as_deref(), Some("http://notes.example"));
        }
        other => panic!("expected the tokens, got {other:?}"),
    }
    clock.advance(INTERVAL + SLOW_DOWN_SECS);
    assert_eq!(
        codes.poll(&begun.device_code, KEY, None).await.unwrap(),
        Poll::Unknown
    );

    // Denied: every poll hears it.
    let denied = codes.begin(asked()).await.unwrap();
    assert!(codes
        .decide(&denied.user_code, Decision::Deny)
        .await
        .unwrap());
    assert!(!codes.decide(&denied.user_code, approve()).await.unwrap());
    assert_eq!(
        codes.poll(&denied.device_code, KEY, None).await.unwrap(),
        Poll::Denied
    );

    // Nobody decides in time: too late to approve, and polls hear so.
    let late = codes.begin(asked()).await.unwrap();
    clock.advance(LIFETIME_SECS);
    assert_eq!(codes.pending(&late.user_code).await.unwrap(), None);
    assert!(!codes.decide(&late.user_code, approve()).await.unwrap());
    assert_eq!(
        codes.poll(&late.device_code, KEY, None).await.unwrap(),
        Poll::Expired
    );

    for junk in ["", "nope", &"a".repeat(43)] {
        assert_eq!(codes.poll(junk, KEY, None).await.unwrap(), Poll::Unknown);
    }
    let unknown = UserCode::parse("BCDF-GHJK").unwrap();
    assert_eq!(codes.pending(&unknown).await.unwrap(), None);
    assert!(!codes.decide(&unknown, approve()).await.unwrap());
}

#[test]
fn user_codes_are_eight_consonants_read_forgivingly() {
    for _ in 0..200 {
        let code = UserCode::random();
        assert_eq!(code.as_str().len(), 8);
        assert!(
            code.as_str().bytes().all(|b| ALPHABET.contains(&b)),
            "{code}"
        );
        let shown = code.to_string();
        assert_eq!(shown.len(), 9);
        assert_eq!(&shown[4..5], "-");
        assert_eq!(UserCode::parse(&shown), Some(code.clone()));
        assert_eq!(
            UserCode::parse(&shown.replace('-', " ").to_lowercase()),
            Some(code)
        );
    }
    // Vowels, digits and lengths other than eight are never codes.
    for bad in [
        "",
        "BCDF-GHJ",
        "BCDF-GHJKL",
        "ABCD-FGHJ",
        "BCD0-GHJK",
        "BCDF_GHJK",
    ] {
        assert_eq!(UserCode::parse(bad), None, "{bad}");
    }
}

#[sqlx::test(migrator = "crate::db::MIGRATOR")]
async fn a_database_request_lives_once(pool: sqlx::SqlitePool) {
    let db = crate::db::testing::from_sqlite(pool).await;
    let store = SharedStore::Database(db.clone());
    a_request_lives_once(store.clone()).await;

    // Purged once even a late poll need not hear about them.
    let clock = Clock::manual(NOW + 10 * LIFETIME_SECS);
    let codes = DeviceCodes::new(&store, clock, INTERVAL);
    assert_eq!(codes.purge().await.unwrap(), 3);
}

#[tokio::test]
async fn a_postgres_request_lives_once() {
    let Some(pg) = crate::db::testing::PgTestDb::create().await else {
        return crate::testing::skip("PostgreSQL", crate::db::testing::POSTGRES_ENV);
    };
    a_request_lives_once(SharedStore::Database(pg.db.clone())).await;
    pg.drop().await;
}

#[tokio::test]
async fn a_redis_request_lives_once() {
    let Some(redis) = RedisClient::for_tests() else {
        return crate::testing::skip("Redis", crate::redis_client::TEST_ENV);
    };
    a_request_lives_once(SharedStore::Redis(redis.clone())).await;
    redis.delete_all().await.unwrap();
}

#[tokio::test]
async fn a_redis_cluster_request_lives_once() {
    let Some(redis) = crate::testing::redis_cluster() else {
        return;
    };
    a_request_lives_once(SharedStore::Redis(redis.clone())).await;
    redis.delete_all().await.unwrap();
}
