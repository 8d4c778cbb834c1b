//! `liuhen vault commit` (alias `seal`), `show`, `erase` and `complete`: each one call into the
//! core (`Vault::commit`, `liuhen::disclosure::{view_case, erase}`,
//! `Vault::complete_erasures`), then what it printed.

use std::error::Error;

use liuhen::disclosure::{self, render, DisclosureError, EraseRequest, ViewRequest};
use liuhen::text::{replace_controls as clean, short};
use liuhen::vault::VaultError;
use liuhen::Signer;
use serde_json::json;

use super::{parse_commitment, read_value, CommitArgs, CompleteArgs, EraseArgs, ShowArgs};
use crate::cmd::append::{open_ledger, print_exact, refusal_reason};
use crate::layout::LedgerDir;
use crate::{Global, EXIT_OK};

// ---- commit -----------------------------------------------------------------------------------

pub(super) fn run_commit(args: CommitArgs, global: &Global) -> Result<u8, Box<dyn Error>> {
    // One surrounding space typed by hand is not part of the name; the core checks the rest.
    let field = args.field.trim();
    liuhen::commitment::check_field(field)?;
    let vault = LedgerDir::new(&args.dir).vault()?;
    let value = read_value(
        args.source.value,
        args.source.value_file.as_deref(),
        "--value",
    )?;
    let sealed = vault.commit(field, &value)?;
    drop(value);
    let commitment = sealed.0.to_hex();
    let text = if args.json {
        format!("{}\n", json!({ "field": field, "commitment": commitment }))
    } else {
        format!("{commitment}\n")
    };
    print_exact(&text).map_err(|e| {
        format!(
            "the value was committed into {} as commitment {commitment}, but the output failed: {e}",
            vault.root().display()
        )
    })?;
    if !global.quiet {
        eprintln!(
            "liuhen: committed {} into {}; put the commitment in the statement (docs/EVENTS.md), never the value",
            clean(field),
            vault.root().display()
        );
    }
    Ok(EXIT_OK)
}

// ---- show -------------------------------------------------------------------------------------

pub(super) fn run_show(args: ShowArgs, global: &Global) -> Result<u8, Box<dyn Error>> {
    // Checked before the key file is read, as the core would.
    if args.purpose.trim().is_empty() {
        return Err("--purpose is empty: say why the records are viewed".into());
    }
    let (_, key) = liuhen::keyfile::read_secret_key(&args.key_file)?;
    let mut ledger = open_ledger(&args.dir)?;
    let vault = LedgerDir::new(&args.dir).vault()?;
    let request = ViewRequest {
        case_no: args.case.clone(),
        purpose: args.purpose.clone(),
    };
    let view = disclosure::view_case(&mut ledger, &vault, &key, &request).map_err(
        |e| -> Box<dyn Error> {
            let file = args.key_file.display();
            match e {
                DisclosureError::ViewNotRecorded { author, source } => {
                    let (_, reason) = refusal_reason(&source);
                    format!("{file} (key {author}): {reason}; nothing was shown").into()
                }
                DisclosureError::NotAuthorized { .. } => format!("{file}: {e}").into(),
                e if e.is_tampering() => Box::new(e),
                other => other.to_string().into(),
            }
        },
    )?;
    let seq = view.receipt.seq;
    let text = if args.json {
        format!("{}\n", render::view_json(&view))
    } else {
        render::view_text(&view)
    };
    print_exact(&text)
        .map_err(|e| format!("the view was recorded at entry {seq}, but the output failed: {e}"))?;
    if !global.quiet {
        eprintln!(
            "liuhen: the view is recorded at entry {seq} (RecordViewed); `liuhen seal` signs a checkpoint over it"
        );
    }
    Ok(EXIT_OK)
}

// ---- erase / complete -------------------------------------------------------------------------

pub(super) fn run_erase(args: EraseArgs, global: &Global) -> Result<u8, Box<dyn Error>> {
    let commitment = parse_commitment(&args.commitment)?;
    if args.authority.trim().is_empty() {
        return Err("--authority is empty: name who approved the erasure".into());
    }
    let (_, key) = liuhen::keyfile::read_secret_key(&args.key_file)?;
    let author = key.public_key();
    let mut ledger = open_ledger(&args.dir)?;
    let vault = LedgerDir::new(&args.dir).vault()?;
    let hex = commitment.0.to_hex();
    let request = EraseRequest {
        commitment,
        authority: args.authority.clone(),
    };
    let done = disclosure::erase(&mut ledger, &vault, &key, &request).map_err(
        |e| -> Box<dyn Error> {
            match e {
                DisclosureError::Vault(
                    e @ (VaultError::ErasureRefused { .. }
                    | VaultError::UnknownCommitment { .. }
                    | VaultError::Ledger { .. }),
                ) => format!("{e}; nothing was appended or destroyed").into(),
                DisclosureError::Vault(VaultError::Append { source, .. }) => {
                    let (_, reason) = refusal_reason(&source);
                    format!(
                        "erasure of {hex}: {} (key {author}): {reason}; nothing was appended or destroyed",
                        args.key_file.display()
                    )
                    .into()
                }
                DisclosureError::Vault(e @ VaultError::NotRegular { .. }) => Box::new(e),
                DisclosureError::InvalidRequest { .. } => e.to_string().into(),
                other => format!(
                    "{other}; the ledger may already record the erasure of {hex}: run `liuhen vault complete {}` to finish destroying the record",
                    args.dir.display()
                )
                .into(),
            }
        },
    )?;
    let seq = done.seq;
    let text = render::erasure(&request, &done, args.json);
    print_exact(&text).map_err(|e| {
        format!("the erasure is recorded at entry {seq} and done, but the output failed: {e}")
    })?;
    if !global.quiet {
        eprintln!(
            "liuhen: the opening of {} is destroyed in {} (overwritten, removed, tombstone left); backups and copies outside liuhen are not reached (docs/PRIVACY.md)",
            short(&hex),
            vault.root().display()
        );
    }
    Ok(EXIT_OK)
}

pub(super) fn run_complete(args: CompleteArgs, global: &Global) -> Result<u8, Box<dyn Error>> {
    let dir = LedgerDir::new(&args.dir);
    let store = dir.open_read_only()?;
    let done = match dir.existing_vault()? {
        Some(vault) => vault.complete_erasures(&store)?,
        None => 0,
    };
    let text = if args.json {
        format!("{}\n", json!({ "completed": done }))
    } else {
        format!("finished {done} erasure(s)\n")
    };
    print_exact(&text)?;
    if !global.quiet && done > 0 {
        eprintln!(
            "liuhen: {done} record(s) whose erasure the ledger records were still in the vault and are now destroyed"
        );
    }
    Ok(EXIT_OK)
}
