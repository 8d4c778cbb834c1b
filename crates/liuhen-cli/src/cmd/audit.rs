//! `liuhen audit DIR`: the regulation's articles as rules over a verified ledger
//! (`docs/AUDIT.md`).
//!
//! One core call, [`liuhen::check::check_dir`], reads each entry once: integrity (the store's
//! files, signatures, chain, registry, checkpoints, recording sessions and holds; media files
//! are `liuhen verify`'s) and the audit as of the given time under the given profile. A tampered
//! ledger is not audited, because its audit would mean nothing (exit 1). The human report lists findings by case with the
//! article and its Chinese term; `--json` prints the `liuhen-audit/1` report; `--html` writes
//! one self-contained page for the case file.

use std::error::Error;
use std::path::{Path, PathBuf};

use liuhen::audit::{self, AuditOptions, Integrity, Profile};
use liuhen::check::{check_dir, read_vkey, AuditRequest, CheckOptions, MediaSource};
use liuhen::verify::{FindingKind, Verdict};
use liuhen::{Clock, SystemClock};

use crate::layout::LedgerDir;
use crate::{Global, EXIT_COMPLIANCE, EXIT_OK, EXIT_TAMPERED};

/// Arguments of `liuhen audit`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  liuhen audit /srv/liuhen/jinpu --vkey jinpu.vkey --as-of 2026-03-31T16:00:00Z
  liuhen audit /srv/liuhen/jinpu --json > audit.json
  liuhen audit /srv/liuhen/jinpu --html audit.html --profile dalian.toml
  liuhen audit /srv/liuhen/jinpu --lang zh
  liuhen audit /srv/liuhen/jinpu --stats quarter --csv > 2026-stats.csv
  liuhen audit /srv/liuhen/jinpu --evidence '金民罚〔2026〕3号' --csv > 证据清单.csv
  liuhen audit --print-profile > my-profile.toml

Integrity is verified first: a tampered ledger is not audited (exit 1). Deadlines are judged
on the ledger's logged_at; entries logged after --as-of are ignored, so the same ledger, profile
and time always give the same report. Rules, profile keys and the JSON schema: docs/AUDIT.md.

Exit codes: 0 no violation (warnings and notices allowed), 1 tampering found, 2 violations
found, 3 usage or I/O error (DIR, profile or key unreadable, --as-of not a time).")]
pub struct Args {
    /// The ledger directory (holding ledger/).
    #[arg(required_unless_present = "print_profile")]
    pub dir: Option<PathBuf>,
    /// Audit as of this time: RFC 3339 with an offset (2026-03-31T16:00:00Z,
    /// 2026-04-01T00:00:00+08:00) or Unix milliseconds. Default: now.
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<String>,
    /// The audit profile (TOML; keys in docs/AUDIT.md). Default: the Jinpu regulation.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// Print the report as JSON (format liuhen-audit/1, docs/AUDIT.md).
    #[arg(long)]
    pub json: bool,
    /// Also write the HTML report (one self-contained, printable page) to FILE.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Include every case's timeline of entries in the JSON report.
    #[arg(long)]
    pub timeline: bool,
    /// Language of the human report and of tables: en (default) or zh (Chinese: findings,
    /// act names, citations as 第十四条第（一）项).
    #[arg(long, value_name = "LANG", default_value = "en")]
    pub lang: String,
    /// Print statistics for the supervising office instead of the report: cases and findings
    /// by period (month or quarter), kind of act, unit, officer and article.
    #[arg(long, value_name = "PERIOD", conflicts_with_all = ["json", "evidence"])]
    pub stats: Option<String>,
    /// Print the evidence list (证据清单) of this case instead of the report.
    #[arg(long, value_name = "CASE", conflicts_with = "json")]
    pub evidence: Option<String>,
    /// Print --stats or --evidence as CSV (RFC 4180, UTF-8).
    #[arg(long)]
    pub csv: bool,
    /// The ledger's verifier key (C2SP vkey file), obtained independently. Without it the
    /// integrity check cannot rule out a rewrite under another key, and says `unverified`.
    #[arg(long, value_name = "FILE")]
    pub vkey: Option<PathBuf>,
    /// Witnesses and trusted time (docs/WITNESS.md): with them the audit reads proven-before
    /// times (art14-4.after_the_fact, the timeline) from the cosignatures and tokens trusted.
    #[command(flatten)]
    pub trust: super::verify::TrustArgs,
    /// Print the default profile as TOML (a starting point for --profile) and exit.
    #[arg(long, conflicts_with_all = ["dir", "as_of", "profile", "json", "html", "timeline", "vkey", "stats", "evidence", "csv"])]
    pub print_profile: bool,
}

/// Runs `liuhen audit`; returns the exit code.
pub fn run(args: Args, global: &Global) -> Result<u8, Box<dyn Error>> {
    if args.print_profile {
        print!("{}", default_profile_toml()?);
        return Ok(EXIT_OK);
    }
    let Some(dir) = &args.dir else {
        return Err("give the ledger directory to audit".into());
    };
    let profile = match &args.profile {
        Some(path) => load_profile(path)?,
        None => Profile::default(),
    };
    let as_of = match &args.as_of {
        Some(text) => audit::parse_time(text).ok_or_else(|| {
            format!("--as-of {text:?} is not a time: give RFC 3339 with an offset (2026-03-31T16:00:00Z) or Unix milliseconds")
        })?,
        None => SystemClock.now(),
    };
    let lang: audit::stats::Lang = args.lang.parse()?;
    let stats_period: Option<audit::stats::StatPeriod> =
        args.stats.as_deref().map(str::parse).transpose()?;
    if args.csv && stats_period.is_none() && args.evidence.is_none() {
        return Err("--csv is the format of --stats or --evidence: give one of them".into());
    }
    let mut options = CheckOptions {
        vkey: args.vkey.as_deref().map(read_vkey).transpose()?,
        // Media files are `liuhen verify`'s; "media not checked" is left out of the summary.
        media: MediaSource::Skip,
        audit: Some(AuditRequest {
            profile,
            options: AuditOptions {
                as_of,
                timelines: args.timeline || args.html.is_some(),
            },
        }),
        ..CheckOptions::default()
    };
    let layout = LedgerDir::new(dir);
    args.trust.apply(&layout, &mut options)?;
    layout.require_store()?;
    let checked = check_dir(&layout, &options)?;
    let integrity = checked.report().without(FindingKind::MediaNotChecked);
    let summary = Integrity::from_report(&integrity);
    if checked.verdict() == Verdict::Tampered {
        if args.json {
            let out = audit::render::NotAudited {
                format: audit::REPORT_FORMAT,
                audited: false,
                integrity: &summary,
            };
            println!("{}", serde_json::to_string_pretty(&out)?);
        } else {
            print!("{}", audit::render::not_audited_text(dir, &integrity));
        }
        return Ok(EXIT_TAMPERED);
    }
    let mut report = checked.into_audit().ok_or_else(|| {
        format!(
            "{}: not every entry of the ledger could be read, so it cannot be audited (`liuhen verify` says which)",
            dir.display()
        )
    })?;
    report.integrity = Some(summary);
    if let Some(path) = &args.html {
        std::fs::write(path, audit::render::html(&report))
            .map_err(|e| format!("cannot write the HTML report to {}: {e}", path.display()))?;
    }
    let code = if report.has_violations() {
        EXIT_COMPLIANCE
    } else {
        EXIT_OK
    };
    if let Some(period) = stats_period {
        let rows = audit::stats::statistics(&report, period);
        if args.csv {
            print!("{}", audit::stats::statistics_csv(&rows, lang));
        } else {
            print!("{}", audit::stats::statistics_text(&rows, lang));
        }
        return Ok(code);
    }
    if let Some(case_no) = &args.evidence {
        let case = report
            .cases
            .iter()
            .find(|c| &c.case_no == case_no)
            .ok_or_else(|| format!("no case {case_no:?} in the ledger as of the audit time"))?;
        if args.csv {
            print!("{}", audit::stats::evidence_csv(&case.evidence));
        } else {
            print!("{}", audit::render::evidence_text(case_no, &case.evidence));
        }
        return Ok(code);
    }
    if args.json {
        if !args.timeline {
            // Timelines were gathered for the HTML page only.
            for c in &mut report.cases {
                c.timeline = None;
            }
        }
        println!("{}", serde_json::to_string_pretty(&report)?);
        if let (Some(path), false) = (&args.html, global.quiet) {
            eprintln!("HTML report written to {}", path.display());
        }
    } else {
        match lang {
            audit::stats::Lang::En => print!("{}", audit::render::text(&report)),
            audit::stats::Lang::Zh => print!("{}", audit::zh::text(&report)),
        }
        if let Some(path) = &args.html {
            println!("HTML report 报告: {}", path.display());
        }
    }
    Ok(code)
}

/// Reads and validates an audit profile (TOML, docs/AUDIT.md); errors are one sentence.
pub(crate) fn load_profile(path: &Path) -> Result<Profile, Box<dyn Error>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the audit profile {}: {e}", path.display()))?;
    let profile: Profile = toml::from_str(&text).map_err(|e| {
        // toml's own text is a multi-line excerpt; errors here are one sentence.
        let at = e.span().map_or(String::new(), |span| {
            let before = text.get(..span.start).unwrap_or("");
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!(" at line {line}, column {column}")
        });
        format!(
            "the audit profile {} is not valid{at}: {}",
            path.display(),
            e.message().trim()
        )
    })?;
    profile
        .validate()
        .map_err(|e| format!("the audit profile {}: {e}", path.display()))?;
    Ok(profile)
}

fn default_profile_toml() -> Result<String, Box<dyn Error>> {
    Ok(format!(
        "# liuhen audit profile: the default (the Jinpu regulation). Keys: docs/AUDIT.md.\n{}",
        toml::to_string_pretty(&Profile::default())?
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    /// The ```toml blocks of docs/AUDIT.md.
    fn doc_examples() -> Vec<String> {
        let doc = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/AUDIT.md"),
        )
        .unwrap();
        let mut out = Vec::new();
        let mut rest = doc.as_str();
        while let Some(start) = rest.find("```toml\n") {
            let body = &rest[start + 8..];
            let end = body.find("```").unwrap();
            out.push(body[..end].to_string());
            rest = &body[end..];
        }
        out
    }

    #[test]
    fn the_documented_example_profiles_parse_and_validate() {
        let examples = doc_examples();
        assert!(!examples.is_empty(), "docs/AUDIT.md has no ```toml example");
        for text in examples {
            let p: Profile = toml::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
            p.validate().unwrap();
            assert_ne!(p, Profile::default(), "the example changes something");
        }
    }

    #[test]
    fn the_printed_default_profile_reads_back() {
        let text = default_profile_toml().unwrap();
        let p: Profile = toml::from_str(&text).unwrap();
        assert_eq!(p, Profile::default());
        assert!(text.contains("archive_deadline = \"24h\""), "{text}");
    }

    #[test]
    fn every_profile_key_is_documented() {
        let doc = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/AUDIT.md"),
        )
        .unwrap();
        let value = toml::Value::try_from(Profile::default()).unwrap();
        for key in value.as_table().unwrap().keys() {
            assert!(
                doc.contains(&format!("`{key}`")),
                "docs/AUDIT.md does not document {key}"
            );
        }
        for rule in audit::RULES {
            assert!(
                doc.contains(&format!("`{}`", rule.id)),
                "docs/AUDIT.md does not document {}",
                rule.id
            );
        }
    }
}
