const TOKEN: &str = "https://hooks.slack.com/services/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";
use std::env;

fn main() {
    println!("ready");
}
