"""e-Sachivalaya portal: everything but the Streamlit pages."""
