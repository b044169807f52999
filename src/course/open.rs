//! `sockpit learn [N] [--lang zh]`: the list, or a chapter's own command
//! line to run with its lesson.

use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;
use crate::lesson::Lang;

/// The list on stdout (`Err` with the exit code), or the command line of
/// chapter `name` and its number.
///
/// # Errors
/// The exit code when nothing is left to run: 0 after the list, 2 for a
/// chapter that does not exist.
pub fn open(
    name: Option<&str>,
    lang: Option<Lang>,
    join: Option<u32>,
) -> Result<(Cli, Option<usize>), ExitCode> {
    let lang_or = lang.unwrap_or_default();
    let Some(name) = name else {
        let (progress, said) = match super::progress::path() {
            Some(path) => super::progress::load(&path),
            None => (super::progress::Progress::default(), None),
        };
        if let Some(said) = said {
            eprintln!("sockpit: {said}");
        }
        print!("{}", super::list::render(&progress, lang_or));
        return Err(ExitCode::SUCCESS);
    };
    let Some((number, chapter)) = super::find(name) else {
        let names: Vec<String> =
            super::chapters::ALL.iter().map(|c| format!("{} {}", c.number, c.slug)).collect();
        eprintln!(
            "error: no chapter {name:?}: give one of {}\n\nFor more information, try 'sockpit learn'.",
            names.join(", ")
        );
        return Err(ExitCode::from(2));
    };
    let mut args = vec!["sockpit".to_string()];
    if let Some(pid) = join {
        args.extend(["--join".to_string(), pid.to_string()]);
    }
    args.extend(chapter.setup.iter().map(|a| (*a).to_string()));
    if lang_or == Lang::Zh {
        args.extend(["--lang".to_string(), "zh".to_string()]);
    }
    match Cli::try_parse_from(&args) {
        Ok(cli) => Ok((cli, Some(number))),
        Err(e) => {
            // A chapter's setup is checked by the validator test; say it anyway.
            eprintln!("sockpit: chapter {number}'s command line is refused: {e}");
            Err(ExitCode::from(2))
        }
    }
}
