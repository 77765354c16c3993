"""联合奖惩 (joint reward and punishment, R-MEA-4) and lifting its measures when the basis ends (R-MEA-6)."""
