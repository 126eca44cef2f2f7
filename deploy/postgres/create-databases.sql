-- Run once by the postgres image when its data volume is empty
-- (/docker-entrypoint-initdb.d). The two databases of the blog are separate:
-- nothing joins across them. They belong to POSTGRES_USER, who runs this script.
CREATE DATABASE blog_users;
CREATE DATABASE blog_blog;
