// The per-evaluation memory bound (`--max-memory`) reads this allocator's
// per-thread counts.
#[global_allocator]
static ALLOC: kaiji::memory::CountingAlloc = kaiji::memory::CountingAlloc;

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
