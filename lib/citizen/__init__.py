"""The citizen's side: filing a complaint with proof of identity, uploads, tracking and the receipt."""
