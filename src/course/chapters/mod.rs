//! Every chapter, in order: one file each, data only.

mod backlog;
mod closing;
mod reuseaddr;
mod streams;
mod tcp_client;
mod tcp_server;
mod timeouts;
mod udp;
mod unix;
mod web;

use super::Chapter;

/// The chapters of `sockpit learn`, in the order they are taught.
pub const ALL: &[&Chapter] = &[
    &tcp_server::CHAPTER,
    &tcp_client::CHAPTER,
    &backlog::CHAPTER,
    &streams::CHAPTER,
    &closing::CHAPTER,
    &reuseaddr::CHAPTER,
    &udp::CHAPTER,
    &timeouts::CHAPTER,
    &web::CHAPTER,
    &unix::CHAPTER,
];
#[cfg(test)]
mod tests {
    use super::*;
    use crate::course::check::Check;

    /// The validator: every check of every chapter parses, which means it
    /// names a real call, error, event kind, TCP state, kernel figure or
    /// flag; every step has a hint; slugs are unique; every setup is a
    /// command line sockpit accepts, in step mode.
    #[test]
    fn every_check_names_real_things() {
        for chapter in ALL {
            assert!(!chapter.steps.is_empty(), "{} has no step", chapter.slug);
            for step in chapter.steps {
                if let Err(e) = Check::parse(step.check) {
                    panic!("{}: {:?}: {e}", chapter.slug, step.check);
                }
                assert!(!step.hints.is_empty(), "{}: {} has no hint", chapter.slug, step.label.en);
                for text in [step.label, step.text].iter().chain(step.hints) {
                    assert!(!text.en.is_empty() && !text.zh.is_empty(), "{}", text.en);
                }
            }
            let mut args = vec!["sockpit"];
            args.extend_from_slice(chapter.setup);
            let cli = <crate::cli::Cli as clap::Parser>::try_parse_from(&args);
            let plan = cli.unwrap_or_else(|e| panic!("{}: {e}", chapter.slug)).plan();
            assert!(
                plan.ends.iter().all(|e| e.config.step),
                "{} is not in step mode",
                chapter.slug
            );
            if let Some(refused) = crate::run::misuse(&plan) {
                panic!("{}: sockpit refuses its setup: {refused}", chapter.slug);
            }
        }
        let numbers: Vec<_> = ALL.iter().map(|c| c.number).collect();
        assert!(numbers.windows(2).all(|w| w[0] < w[1]), "numbers not ascending: {numbers:?}");
        let mut slugs: Vec<_> = ALL.iter().map(|c| c.slug).collect();
        slugs.sort_unstable();
        slugs.dedup();
        assert_eq!(slugs.len(), ALL.len(), "two chapters share a slug");
    }

    #[test]
    fn the_validator_refuses_names_that_do_not_exist() {
        for bad in [
            "server call lisen ok",
            "server call recv err ECONREFUSED",
            "client event connceted",
            "any state TIME-WAIT",
            "server figure accept_q >= 1",
            "any wire FINN",
            "middle call socket ok",
            "server call socket ok extra",
        ] {
            assert!(Check::parse(bad).is_err(), "{bad} parsed");
        }
        for good in [
            "server call recv err ENOTCONN",
            "client call connect_ex returns 111",
            "client event eof",
            "any state TIME_WAIT",
            "server figure recv_q >= 12",
            "any wire FIN",
            "client call * err ECONNREFUSED",
            "server call recv err TimeoutError",
        ] {
            assert!(Check::parse(good).is_ok(), "{good} refused");
        }
    }
}
