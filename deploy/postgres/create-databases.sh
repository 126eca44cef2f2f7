# The blog's databases and the account its services use (docs/SECURITY.md,
# "The database"). Run once by the postgres image when its data volume is empty:
# its entry point sources every *.sh in /docker-entrypoint-initdb.d, as
# POSTGRES_USER (the superuser) on a server that listens on its socket only.
#
# - BLOG_DB_USER (default blog_app): a login role with NOSUPERUSER NOCREATEDB
#   NOCREATEROLE NOREPLICATION NOBYPASSRLS, password BLOG_DB_PASSWORD (or the
#   file BLOG_DB_PASSWORD_FILE, a swarm secret). The password is read from the
#   environment here, at first start: it is in no image and no file of the project.
# - blog_users and blog_blog, owned by that role, so that it can run the
#   migrations (create tables in their public schema) and serve requests;
#   nobody else may connect to them (PUBLIC's CONNECT and TEMP revoked), the
#   superuser aside. Nothing joins across the two databases.
#
# Safe to run again, on a volume made before this role existed (it creates what
# is missing, sets the role's attributes and password, and hands the databases
# and their tables to the role):
#   docker compose exec postgres sh /docker-entrypoint-initdb.d/create-databases.sh
#
# POSIX sh: the local image (deploy/images/postgres) sources it with /bin/sh,
# the official one with bash. It never changes the caller's shell options, and
# exits (ending the first start) on any failure.
blog_db_fail() {
  echo "create-databases.sh: $1" >&2
  exit 1
}
blog_db_superuser="${POSTGRES_USER:-postgres}"
blog_db_user="${BLOG_DB_USER:-blog_app}"
blog_db_password="${BLOG_DB_PASSWORD:-}"
if [ -n "${BLOG_DB_PASSWORD_FILE:-}" ]; then
  blog_db_password="$(cat "$BLOG_DB_PASSWORD_FILE")" \
    || blog_db_fail "cannot read BLOG_DB_PASSWORD_FILE ($BLOG_DB_PASSWORD_FILE)"
fi
[ -n "$blog_db_password" ] \
  || blog_db_fail "set BLOG_DB_PASSWORD: the password of $blog_db_user, the services' account"
[ "$blog_db_user" != "$blog_db_superuser" ] \
  || blog_db_fail "BLOG_DB_USER must not be POSTGRES_USER ($blog_db_superuser), the superuser"

# The password reaches psql in its environment (\getenv, PostgreSQL 15 and
# newer), never on a command line.
BLOG_DB_PASSWORD="$blog_db_password" psql -X -q -v ON_ERROR_STOP=1 \
  -U "$blog_db_superuser" -d postgres -v app_user="$blog_db_user" <<'SQL' \
  || blog_db_fail "creating the role $blog_db_user and the databases failed"
\getenv app_password BLOG_DB_PASSWORD
SELECT format('CREATE ROLE %I', :'app_user')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app_user') \gexec
ALTER ROLE :"app_user" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION
  NOBYPASSRLS INHERIT PASSWORD :'app_password';
SELECT format('CREATE DATABASE %I OWNER %I', name, :'app_user')
  FROM unnest(ARRAY['blog_users', 'blog_blog']) AS name
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = name) \gexec
ALTER DATABASE blog_users OWNER TO :"app_user";
ALTER DATABASE blog_blog OWNER TO :"app_user";
REVOKE ALL ON DATABASE blog_users, blog_blog FROM PUBLIC;
SQL

# A volume made before the role existed holds tables the superuser owns (the
# migrations ran as it): hand them to the role. Nothing to do on a new volume.
for blog_database in blog_users blog_blog; do
  psql -X -q -v ON_ERROR_STOP=1 -U "$blog_db_superuser" -d "$blog_database" \
    -v app_user="$blog_db_user" <<'SQL' \
    || blog_db_fail "handing the tables of $blog_database to $blog_db_user failed"
-- Tables first: their owned sequences (serial, identity) and indexes follow them.
SELECT format('ALTER TABLE public.%I OWNER TO %I', c.relname, :'app_user')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
   AND pg_get_userbyid(c.relowner) <> :'app_user' \gexec
SELECT format('ALTER SEQUENCE public.%I OWNER TO %I', c.relname, :'app_user')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind = 'S'
   AND pg_get_userbyid(c.relowner) <> :'app_user' \gexec
SQL
done
echo "create-databases.sh: blog_users and blog_blog belong to $blog_db_user (not a superuser)"
unset blog_db_superuser blog_db_user blog_db_password blog_database
unset -f blog_db_fail
