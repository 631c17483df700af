# Copy to instance/config.py and adjust. Environment variables SKILLMAP_* win over this file.
# SECRET_KEY = "a long random string: python -c 'import secrets; print(secrets.token_hex(32))'"
# SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://skillmap@localhost/skillmap"
# ENV_NAME = "production"
# HTTPS = True          # marks cookies Secure
# PRIVACY_MIN_GROUP = 5 # reports hide groups smaller than this
