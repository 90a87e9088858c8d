"""The portal's settings, one module per environment (the cookiecutter-django layout): `base`
(shared), `local` (development), `production` and `test`. See base.py."""
