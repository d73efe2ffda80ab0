"""The intent model: the linear classifier's arrays, the sentence encoder and its cache, calibration, the gate."""
