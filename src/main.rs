use clap::Parser;

fn main() -> std::process::ExitCode {
    sockpit::run(sockpit::cli::Cli::parse())
}
