from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent

# Package data is selected here, for the wheel, and not with
# include_package_data: with that flag setuptools takes every data folder
# (templates/consult/, static/consult/, ...) for an unlisted "importable
# package" and warns about each. MANIFEST.in says what the sdist carries; it
# covers these files too, so a wheel built from the sdist is complete.
PACKAGES = find_packages(include=["consult", "consult.*"])
PACKAGE_DIR = {}
PACKAGE_DATA = {"consult": ["py.typed", "templates/**/*", "static/**/*"]}
# The catalogs live at the top level of the repository (where translators
# find them) and ship inside the package as consult/locale, where Django's
# app loader looks. Git keeps no empty folder: a checkout made before any
# catalog exists has no locale/, and setuptools refuses a package_dir that
# does not exist ("package directory 'locale' does not exist").
if (HERE / "locale").is_dir():
    PACKAGES.append("consult.locale")
    PACKAGE_DIR["consult.locale"] = "locale"
    PACKAGE_DATA["consult.locale"] = ["*/LC_MESSAGES/*.po", "*/LC_MESSAGES/*.mo"]

# The documentation site (`make docs`); in the test extra too, so that
# `make install` brings what `make docs` and tests/test_docs.py need.
DOCS = ["mkdocs>=1.6,<2", "mkdocs-material>=9.5,<10"]

setup(
    name="wagtail-consult",
    version="0.2.0",
    description="E-participation for Wagtail: consultations, proposals, comments, live votes.",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="BSD-3-Clause",
    python_requires=">=3.11",
    packages=PACKAGES,
    package_dir=PACKAGE_DIR,
    include_package_data=False,
    package_data=PACKAGE_DATA,
    exclude_package_data={"": ["*.py[cod]", "*.DS_Store", "*~", "*.swp"]},
    install_requires=[
        "Django>=5.2,<5.3",
        "wagtail>=8.0,<9",
        "djangorestframework>=3.15,<4",
        "drf-spectacular>=0.28,<1",
        "drf-spectacular-sidecar>=2024.1.1",
        "channels>=4.2,<5",
        "django-allauth>=65.0,<66",
        "nh3>=0.2.18,<1",
        # XLSX exports of the results dashboard (write-only mode).
        "openpyxl>=3.1,<4",
        # QR codes on printed voting-code letters (pure Python, no dependencies).
        "segno>=1.6,<2",
        # Ed25519 signatures of results bundles; also all python -m consult.verify needs.
        "cryptography>=42,<51",
        # Background tasks (notification e-mails), the backport Wagtail 8 uses.
        "django-tasks>=0.12,<0.13",
        # The QR code on consultation pages and posters, as inline SVG made
        # on the server (pure Python, no image library).
        "segno>=1.6,<2",
    ],
    extras_require={
        "redis": ["channels-redis>=4.2,<5", "redis>=5,<9"],
        "site": [
            # Staff MFA (TOTP, passkeys) and eID logins in the example site.
            "django-allauth[mfa,socialaccount]>=65.0,<66",
            "channels-redis>=4.2,<5",
            "redis>=5,<9",
            "dj-database-url>=2.2,<4",
            "psycopg[binary,pool]>=3.2,<4",
            "uvicorn[standard]>=0.30,<1",
            # The example site's production task queue (manage.py db_worker).
            "django-tasks-db[compat]>=0.13,<0.14",
        ],
        "docs": DOCS,
        "test": [
            *DOCS,
            "channels-redis>=4.2,<5",
            "redis>=5,<9",
            "dj-database-url>=2.2,<4",
            "psycopg[binary,pool]>=3.2,<4",
            "uvicorn[standard]>=0.30,<1",
            "django-tasks-db[compat]>=0.13,<0.14",
            # channels.testing imports daphne.
            "daphne>=4.1,<5",
            # schemathesis 4 relies on pytest 8 internals.
            "pytest>=8,<9",
            "pytest-django>=4.9,<5",
            "pytest-randomly>=3.15,<6",
            "hypothesis>=6.100,<7",
            # Independent oracles and format checkers for verifiable results.
            "pabutools>=1.2,<2",
            "pabulib-checker>=1.0,<2",
            "pref-voting>=1.18,<2",
            "playwright>=1.45,<2",
            "axe-playwright-python>=0.1.4,<0.2",
            "ruff>=0.6,<1",
            "import-linter>=2.1,<3",
            "build>=1.2,<2",
            "schemathesis>=4.0,<5",
            # The eID login test: allauth's OpenID Connect client and a local provider.
            "django-allauth[mfa,socialaccount]>=65.0,<66",
            "oidc-provider-mock>=0.3.4,<0.4",
            "httpx>=0.27,<1",
        ],
    },
    classifiers=[
        "Development Status :: 4 - Beta",
        "Environment :: Web Environment",
        "Intended Audience :: Developers",
        "Intended Audience :: Information Technology",
        "Operating System :: OS Independent",
        "Topic :: Internet :: WWW/HTTP :: Dynamic Content",
        "Topic :: Sociology",
        "Framework :: Django",
        "Framework :: Django :: 5.2",
        "Framework :: Wagtail",
        "Framework :: Wagtail :: 8",
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Programming Language :: Python :: 3.13",
    ],
)
