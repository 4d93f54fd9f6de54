"""`diff(a, b)`: matching two layer graphs (`matching`), what differs (`differences`), the text
and markdown reports (`report`), and the comparison with its picture (`compare`)."""
