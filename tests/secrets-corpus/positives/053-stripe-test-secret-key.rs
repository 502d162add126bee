use std::env;

fn main() {
const TOKEN: &str = "sk_test_aBp8cshtwPkhdM996G5rfDLI7jChGi4s6AKsrpVfVIs1DNSKoPymJTxD5JtNEE0tbpvomGIyLza7wk38puJuFrs4nsdXbkJeM3w";
    println!("ready");
}
