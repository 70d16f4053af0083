#!/bin/sh
# Run once by the postgres image on an empty data directory (/docker-entrypoint-initdb.d):
# Synapse's database needs the C collation (Synapse refuses others); the gateway's databases do not.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<SQL
CREATE DATABASE "$SYNAPSE_DB_NAME" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C';
CREATE DATABASE gateway_auth;
CREATE DATABASE gateway_sync;
SQL
