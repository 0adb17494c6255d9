//! A software `WebAuthn` authenticator for tests, signing like a platform passkey.
//!
//! It answers the JSON options the server hands to
//! `navigator.credentials.create()` / `.get()` with the JSON a browser's
//! `PublicKeyCredential.toJSON()` would send back: ES256 keys, "none"
//! attestation, discoverable credentials.
//!
//! It exists because the passkey flows can only be tested end to end with real
//! signatures over real authenticator data, and the crates that emulate an
//! authenticator bring OpenSSL, which nothing else in this workspace needs.
//! It depends only on `p256`, `sha2`, `base64`, `serde_json` and `rand_core`.
//!
//! Knobs let a test produce the assertions a relying party must refuse: no
//! user verification, a foreign origin, another RP ID hash, a sign counter
//! that went backwards (`set_counter`, or a `clone()` used after the original),
//! and the backup-eligible / backed-up flags.
//!
//! Like a browser, `create` and `get` refuse (here: panic) when the options
//! cannot be satisfied: no ES256 in `pubKeyCredParams`, a stored credential
//! listed in `excludeCredentials`, or no stored credential for `get`. Like a
//! real authenticator, `create` keeps the new credential even when the server
//! then refuses it, and `get` uses the newest matching one.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use rand_core::{OsRng, RngCore as _};
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};

const FLAG_UP: u8 = 0x01;
const FLAG_UV: u8 = 0x04;
const FLAG_BE: u8 = 0x08;
const FLAG_BS: u8 = 0x10;
const FLAG_AT: u8 = 0x40;

#[derive(Clone)]
struct StoredCredential {
    id: Vec<u8>,
    key: SigningKey,
    rp_id: String,
    user_handle: Vec<u8>,
    counter: u32,
}

/// An in-memory authenticator holding any number of ES256 passkeys.
///
/// `Clone` copies every key and counter: using the copy after the original
/// replays old counters, which is how a test simulates a cloned authenticator.
#[derive(Clone)]
pub struct SoftAuthenticator {
    credentials: Vec<StoredCredential>,
    origin: String,
    user_verification: bool,
    backed_up: bool,
    rp_id_override: Option<String>,
}

impl SoftAuthenticator {
    /// An empty authenticator answering for `origin` (e.g. `http://localhost:3000`).
    /// The RP ID comes from the options (`rp.id` / `rpId`); when they lack one,
    /// the origin's host is used, as a browser does.
    #[must_use]
    pub fn new(origin: &str) -> Self {
        Self {
            credentials: Vec::new(),
            origin: origin.to_owned(),
            user_verification: true,
            backed_up: true,
            rp_id_override: None,
        }
    }

    /// Whether the UV flag is set (default on). Off simulates a presence-only touch.
    pub fn user_verification(&mut self, on: bool) {
        self.user_verification = on;
    }

    /// Whether the BE and BS flags are set, i.e. a synced passkey (default on).
    pub fn backed_up(&mut self, on: bool) {
        self.backed_up = on;
    }

    /// The origin written into clientDataJSON from now on.
    pub fn origin(&mut self, origin: &str) {
        origin.clone_into(&mut self.origin);
    }

    /// Hash this RP ID into authenticator data instead of the options' one
    /// (`None` restores the normal behaviour). Credentials stay scoped to the
    /// options' RP ID, so `get` still finds them.
    pub fn rp_id_override(&mut self, rp_id: Option<&str>) {
        self.rp_id_override = rp_id.map(str::to_owned);
    }

    /// Set the stored sign counter of every credential; the next `get` sends
    /// `counter + 1`. A freshly created credential starts at 1.
    pub fn set_counter(&mut self, counter: u32) {
        for cred in &mut self.credentials {
            cred.counter = counter;
        }
    }

    /// Base64url ids of the stored credentials, oldest first.
    #[must_use]
    pub fn credential_ids(&self) -> Vec<String> {
        self.credentials
            .iter()
            .map(|c| URL_SAFE_NO_PAD.encode(&c.id))
            .collect()
    }

    /// Answer `PublicKeyCredentialCreationOptions` (either `{"publicKey": …}`
    /// or the inner object) with an attestation credential in `toJSON()` shape.
    ///
    /// # Panics
    ///
    /// On options without `challenge` or `user.id`, without ES256 in
    /// `pubKeyCredParams`, or listing a stored credential in `excludeCredentials`.
    pub fn create(&mut self, options: &Value) -> Value {
        let options = public_key_member(options);
        let rp_id = options["rp"]["id"]
            .as_str()
            .map_or_else(|| host_of(&self.origin), str::to_owned);
        let challenge = options["challenge"]
            .as_str()
            .expect("creation options without a challenge");
        let user_handle = decode_b64url(
            options["user"]["id"]
                .as_str()
                .expect("creation options without user.id"),
        );

        let offers_es256 = options["pubKeyCredParams"]
            .as_array()
            .is_some_and(|params| {
                params
                    .iter()
                    .any(|p| p["alg"].as_i64() == Some(wire::COSE_ES256))
            });
        assert!(offers_es256, "pubKeyCredParams does not allow ES256 (-7)");

        let excluded = descriptor_ids(&options["excludeCredentials"]);
        assert!(
            !self
                .credentials
                .iter()
                .any(|c| c.rp_id == rp_id && excluded.contains(&c.id)),
            "a credential listed in excludeCredentials is stored here (InvalidStateError)"
        );

        // 16 to 32 random bytes, so that parsers meet varying lengths.
        let mut id = vec![0u8; 16 + (OsRng.next_u32() % 17) as usize];
        OsRng.fill_bytes(&mut id);
        let key = SigningKey::random(&mut OsRng);
        let counter = 1;

        let mut auth_data = self.auth_data_prefix(&rp_id, FLAG_AT, counter);
        auth_data.extend_from_slice(&[0u8; 16]); // AAGUID: "none" attestation hides the model
        let id_len = u16::try_from(id.len()).expect("credential id fits in u16");
        auth_data.extend_from_slice(&id_len.to_be_bytes());
        auth_data.extend_from_slice(&id);
        auth_data.extend_from_slice(&cose_es256_key(&key));

        let mut attestation_object = Vec::new();
        cbor::map_header(&mut attestation_object, 3);
        cbor::text(&mut attestation_object, "fmt");
        cbor::text(&mut attestation_object, "none");
        cbor::text(&mut attestation_object, "attStmt");
        cbor::map_header(&mut attestation_object, 0);
        cbor::text(&mut attestation_object, "authData");
        cbor::bytes(&mut attestation_object, &auth_data);

        let client_data = self.client_data_json("webauthn.create", challenge);
        let id_b64 = URL_SAFE_NO_PAD.encode(&id);

        self.credentials.push(StoredCredential {
            id,
            key,
            rp_id,
            user_handle,
            counter,
        });

        json!({
            "id": id_b64,
            "rawId": id_b64,
            "type": "public-key",
            "response": {
                "clientDataJSON": URL_SAFE_NO_PAD.encode(client_data),
                "attestationObject": URL_SAFE_NO_PAD.encode(attestation_object),
                "transports": ["internal"],
            },
            // Every credential made here is discoverable.
            "clientExtensionResults": { "credProps": { "rk": true } },
            "authenticatorAttachment": "platform",
        })
    }

    /// Answer `PublicKeyCredentialRequestOptions` (either `{"publicKey": …}` or
    /// the inner object) with an assertion in `toJSON()` shape. Uses the newest
    /// credential for the RP ID, restricted to `allowCredentials` when given.
    ///
    /// # Panics
    ///
    /// On options without `challenge`, or when no stored credential matches.
    pub fn get(&mut self, options: &Value) -> Value {
        let options = public_key_member(options);
        let rp_id = options["rpId"]
            .as_str()
            .map_or_else(|| host_of(&self.origin), str::to_owned);
        let challenge = options["challenge"]
            .as_str()
            .expect("request options without a challenge");
        let allowed = descriptor_ids(&options["allowCredentials"]);

        let index = self
            .credentials
            .iter()
            .rposition(|c| c.rp_id == rp_id && (allowed.is_empty() || allowed.contains(&c.id)))
            .unwrap_or_else(|| {
                panic!("no stored credential for RP ID {rp_id:?} (NotAllowedError)")
            });
        let counter = self.credentials[index].counter.wrapping_add(1);
        self.credentials[index].counter = counter;

        let auth_data = self.auth_data_prefix(&rp_id, 0, counter);
        let client_data = self.client_data_json("webauthn.get", challenge);
        let cred = &self.credentials[index];

        let mut signed = auth_data.clone();
        signed.extend_from_slice(&Sha256::digest(client_data.as_bytes()));
        let signature: Signature = cred.key.sign(&signed);

        let id_b64 = URL_SAFE_NO_PAD.encode(&cred.id);
        json!({
            "id": id_b64,
            "rawId": id_b64,
            "type": "public-key",
            "response": {
                "clientDataJSON": URL_SAFE_NO_PAD.encode(client_data),
                "authenticatorData": URL_SAFE_NO_PAD.encode(&auth_data),
                "signature": URL_SAFE_NO_PAD.encode(signature.to_der().as_bytes()),
                "userHandle": URL_SAFE_NO_PAD.encode(&cred.user_handle),
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        })
    }

    /// rpIdHash ‖ flags ‖ signCount: the part of authenticator data both
    /// ceremonies share.
    fn auth_data_prefix(&self, rp_id: &str, extra_flags: u8, counter: u32) -> Vec<u8> {
        let hashed = self.rp_id_override.as_deref().unwrap_or(rp_id);
        let mut flags = FLAG_UP | extra_flags;
        if self.user_verification {
            flags |= FLAG_UV;
        }
        if self.backed_up {
            flags |= FLAG_BE | FLAG_BS;
        }
        let mut data = Sha256::digest(hashed.as_bytes()).to_vec();
        data.push(flags);
        data.extend_from_slice(&counter.to_be_bytes());
        data
    }

    /// Members in the order browsers emit them; the challenge is echoed
    /// exactly as the server encoded it.
    fn client_data_json(&self, kind: &str, challenge: &str) -> String {
        format!(
            r#"{{"type":{},"challenge":{},"origin":{},"crossOrigin":false}}"#,
            Value::from(kind),
            Value::from(challenge),
            Value::from(self.origin.as_str()),
        )
    }
}

mod cbor;
mod wire;

use wire::{cose_es256_key, decode_b64url, descriptor_ids, host_of, public_key_member};
