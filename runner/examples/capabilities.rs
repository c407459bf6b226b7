//! Prints what tdev's sandbox enforces on this machine, and how (or why not):
//! `cargo run -p tdev-runner --example capabilities`.

fn main() -> Result<(), tdev_runner::Error> {
    let sandbox = tdev_runner::Sandbox::new()?;
    print!("{}", sandbox.capabilities());
    Ok(())
}
