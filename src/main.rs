use clap::Parser;

fn main() -> std::process::ExitCode {
    sockpit::run::run(sockpit::cli::Cli::parse())
}
