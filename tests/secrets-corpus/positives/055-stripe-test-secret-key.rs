use std::env;

fn main() {
const TOKEN: &str = "sk_test_yLof06vu1M1p9unB569abdqK5Ft6IXtINBH0HURByDwcMRwC8aReHogAxGzPJ7Kj4m9AFzCXN5LvSHV0fkxuxe0tGlhP5sSv07G";
    println!("ready");
}
