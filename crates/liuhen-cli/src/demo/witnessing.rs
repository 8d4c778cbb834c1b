//! The demo's local witness (C2SP tlog-witness, `liuhen::witness`): the city justice bureau's
//! witness, which cosigns every checkpoint the bureau seals, on the story's clock.
//!
//! It is the real witness core — trusted log key, old size and consistency proof checked,
//! state persisted in `DIR/witness/` before it answers — reached in process instead of over
//! HTTP (`liuhen witness serve` is the same core behind `POST /add-checkpoint`). Its verifier
//! key is written beside the ledger's as `DIR/witness.vkey`, and a witness policy naming both
//! as `DIR/witness.policy` (quorum: this witness).
use std::fs;
use std::path::Path;
use std::sync::Arc;

use liuhen::checkpoint::{NoteVerifier, SignedCheckpoint};
use liuhen::sealing::witness_old_size;
use liuhen::store::file::FileStore;
use liuhen::witness::{
    request_cosignature, TransportResponse, Witness, WitnessDir, WitnessTransport,
};
use liuhen::{Clock, Ledger, ManualClock};

use super::Res;

/// The witness's name (its key name in cosignature lines).
pub(super) const WITNESS_NAME: &str = "witness.dalian-justice.example/w1";
/// Its name in the witness policy.
const POLICY_NAME: &str = "dalian-justice";

/// A witness in this process, answering on the story's clock.
pub(super) struct LocalWitness {
    witness: Witness,
    vkey: NoteVerifier,
    clock: Arc<ManualClock>,
}

impl LocalWitness {
    /// Creates the witness in `DIR/witness/`, trusting the ledger key `log`, and writes
    /// `DIR/witness.vkey` and `DIR/witness.policy`.
    pub(super) fn start(root: &Path, log: &NoteVerifier, clock: Arc<ManualClock>) -> Res<Self> {
        let wdir = root.join("witness");
        let vkey = WitnessDir::init(&wdir, WITNESS_NAME)?;
        WitnessDir::new(&wdir).add_log(log)?;
        fs::write(root.join("witness.vkey"), format!("{vkey}\n"))?;
        fs::write(
            root.join(liuhen::dir::POLICY_FILE),
            format!(
                "# The Jinpu ledger and the witness of the Dalian justice bureau (C2SP tlog-policy).\nlog {log}\nwitness {POLICY_NAME} {vkey}\nquorum {POLICY_NAME}\n"
            ),
        )?;
        let witness = Witness::open(&wdir)?;
        Ok(LocalWitness {
            witness,
            vkey,
            clock,
        })
    }

    /// Asks the witness to cosign `signed` (with a consistency proof from the last size it
    /// cosigned), checks the cosignature, stores the cosigned note in the ledger and returns it.
    pub(super) fn cosign(
        &self,
        ledger: &mut Ledger<FileStore>,
        signed: &SignedCheckpoint,
    ) -> Res<SignedCheckpoint> {
        let old = witness_old_size(ledger, &self.vkey);
        let c = request_cosignature(self, "local", &self.vkey, ledger, signed, old)?;
        let mut cosigned = signed.clone();
        cosigned.add_signature(c.line)?;
        ledger.store_cosigned(&cosigned)?;
        Ok(cosigned)
    }
}

impl WitnessTransport for LocalWitness {
    fn post(&self, _url: &str, body: &[u8]) -> Result<TransportResponse, String> {
        let now = u64::try_from(self.clock.now().0 / 1000).unwrap_or(0);
        Ok(self.witness.answer(body, now).0)
    }
}
