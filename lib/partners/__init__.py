"""Partner systems (CM Window, CSC operators) and the Open311 GeoReport v2 API they use."""
