"""kafka-python 2.0.2 helper for the ACL tests (run with /usr/bin/python3): its admin client speaks CreateAcls,
DescribeAcls and DeleteAcls v0-1.

  create   --bootstrap B --client-id C --acl principal,host,OPERATION,PERMISSION,RESOURCE_TYPE,name,PATTERN ...
  describe --bootstrap B --client-id C [--principal P] [--resource-type T] [--name N] [--pattern PATTERN]
  delete   --bootstrap B --client-id C same filter flags as describe

Each command prints one JSON line on stdout and exits 0, or prints the reason on stderr and exits 1.
"""
import argparse
import json
import sys

from kafka.admin import (ACL, ACLFilter, ACLOperation, ACLPermissionType, ACLResourcePatternType, KafkaAdminClient,
                         ResourcePattern, ResourcePatternFilter, ResourceType)


def error_name(error):
    """kafka-python reports errors as classes (NoError) or instances."""
    return error.__name__ if isinstance(error, type) else type(error).__name__


def admin(args):
    return KafkaAdminClient(bootstrap_servers=args.bootstrap, client_id=args.client_id, request_timeout_ms=20000)


def acl_json(acl):
    return {
        'principal': acl.principal,
        'host': acl.host,
        'operation': acl.operation.name,
        'permission': acl.permission_type.name,
        'resource_type': acl.resource_pattern.resource_type.name,
        'name': acl.resource_pattern.resource_name,
        'pattern': acl.resource_pattern.pattern_type.name,
    }


def parse_filter(args):
    return ACLFilter(
        principal=args.principal,
        host=None,
        operation=ACLOperation.ANY,
        permission_type=ACLPermissionType.ANY,
        resource_pattern=ResourcePatternFilter(ResourceType[args.resource_type], args.name, ACLResourcePatternType[args.pattern]),
    )


def create(args):
    acls = []
    for text in args.acl:
        principal, host, operation, permission, resource_type, name, pattern = text.split(',')
        acls.append(ACL(principal, host, ACLOperation[operation], ACLPermissionType[permission],
                        ResourcePattern(ResourceType[resource_type], name, ACLResourcePatternType[pattern])))
    result = admin(args).create_acls(acls)
    print(json.dumps({'succeeded': [acl_json(a) for a in result['succeeded']],
                      'failed': [[acl_json(a), error_name(e)] for a, e in result['failed']]}))


def describe(args):
    acls, error = admin(args).describe_acls(parse_filter(args))
    print(json.dumps({'error': error_name(error), 'acls': [acl_json(a) for a in acls]}))


def delete(args):
    results = admin(args).delete_acls([parse_filter(args)])
    out = []
    for _filter, matched, error in results:
        out.append({'error': error_name(error), 'deleted': [[acl_json(a), error_name(e)] for a, e in matched]})
    print(json.dumps(out))


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest='command', required=True)
    for name in ('create', 'describe', 'delete'):
        p = sub.add_parser(name)
        p.add_argument('--bootstrap', required=True)
        p.add_argument('--client-id', required=True)
        if name == 'create':
            p.add_argument('--acl', action='append', required=True)
        else:
            p.add_argument('--principal')
            p.add_argument('--resource-type', default='ANY')
            p.add_argument('--name')
            p.add_argument('--pattern', default='ANY')
    args = parser.parse_args()
    try:
        {'create': create, 'describe': describe, 'delete': delete}[args.command](args)
    except Exception as e:  # the reason goes to the test's failure message
        print(f'{type(e).__name__}: {e}', file=sys.stderr)
        sys.exit(1)


if __name__ == '__main__':
    main()
