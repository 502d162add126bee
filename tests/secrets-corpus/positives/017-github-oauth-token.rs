use std::env;

fn main() {
    println!("ready");
}
const TOKEN: &str = "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";
