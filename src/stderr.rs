//! The one way feedctl writes to stderr. `eprintln!` panics when stderr is closed
//! (`feedctl record 2>&1 | head -1`); a notice that cannot be shown is not worth a panic (exit
//! 101) in the middle of a recording, so every line goes through [`line`], which drops it on an
//! error. `clippy.toml` forbids `eprintln!`/`eprint!`/`println!`/`print!` so none comes back.

use std::io::Write;

/// Writes one line to stderr; a closed or failing stderr is ignored.
pub fn line(args: std::fmt::Arguments<'_>) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_fmt(args).and_then(|_| err.write_all(b"\n"));
}

/// `eprintln!` that never panics: `stderr_line!("x {y}")` writes a line to stderr and ignores a
/// closed stderr.
#[macro_export]
macro_rules! stderr_line {
    () => {
        $crate::stderr::line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::stderr::line(format_args!($($arg)*))
    };
}
