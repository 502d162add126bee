use std::env;
const TOKEN: &str = "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";

fn main() {
    println!("ready");
}
