use std::env;

fn main() {
    println!("ready");
const TOKEN: &str = "hvs.m-07bhE2rEaETEl9X2Q8fCg5EexziHkQlRk2Nj5FtwN3Pn2vf-puhKfQgnyZvDA3H6lE7aCYmz0lKUQFIQCeZ13itkjhyHmW";
}
