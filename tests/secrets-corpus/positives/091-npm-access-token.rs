const TOKEN: &str = "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";
use std::env;

fn main() {
    println!("ready");
}
