use std::env;

const TOKEN: &str = "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";
fn main() {
    println!("ready");
}
