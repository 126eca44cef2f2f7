"""The two databases, used by the storage service only: models, migrations, the
database provider and its transactions, the users and blog data functions,
snapshots, integrity, health and stats. The one package that imports SQLAlchemy."""
