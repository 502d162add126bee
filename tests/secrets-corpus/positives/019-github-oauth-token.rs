use std::env;

fn main() {
const TOKEN: &str = "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";
    println!("ready");
}
