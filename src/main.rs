fn main() -> std::process::ExitCode {
    kaiji::cli::main()
}
