const TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.eyJETQGrMVFNjddMR4HMuWUDl6noBGeM__18cTKe7g_YaPTzlc8.TFulYdVWnfeX5csfSplvylI70RsxTapi4nPxQt7fBsn";
use std::env;

fn main() {
    println!("ready");
}
