DROP TABLE audit_nodes;
