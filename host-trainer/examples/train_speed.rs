use std::time::Instant;
fn main() {
    let path = std::env::args().nth(1).expect("path");
    let t = Instant::now();
    let d = rarewatch_trainer::data::read_csv(&path, "Class").expect("read");
    println!("{} rows {} features {} pos in {:.3}s", d.rows(), d.features(), d.positives(), t.elapsed().as_secs_f64());
}
