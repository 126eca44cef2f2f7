"""What the test folders share: the whole system as processes (stack.py), its own RabbitMQ
node (rabbit_node.py), PostgreSQL databases (postgres.py), HTTP calls (http_helpers.py), a
write load (write_load.py) and waiting for a condition (polling.py)."""
