# Copy to instance/config.py and adjust. Environment variables SKILLMAP_* win over this file.
# SECRET_KEY = "a long random string: python -c 'import secrets; print(secrets.token_hex(32))'"
# SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://skillmap@localhost/skillmap"
# ENV_NAME = "production"
# HTTPS = True          # marks cookies Secure
# PRIVACY_MIN_GROUP = 5 # reports hide groups smaller than this
# MAIL_SERVER = "smtp.example.it"   # unset: messages go to instance/outbox/ as .eml files
# MAIL_PORT = 587
# MAIL_USERNAME = "skillmap@example.it"
# MAIL_PASSWORD = "..."
# MAIL_SECURITY = "starttls"         # or "ssl" (port 465) or "none"
# MAIL_SENDER = "SkillMap <skillmap@example.it>"
# BASE_URL = "https://skillmap.example.it"   # for the links in e-mails
# RETENTION_MONTHS = 12              # months after the end of work before erasure
