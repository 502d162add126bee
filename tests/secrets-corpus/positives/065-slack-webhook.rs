use std::env;

fn main() {
    println!("ready");
}
const TOKEN: &str = "https://hooks.slack.com/services/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";
