// A compact schema in introspection form, enough for GraphQL clients and scanners to map the API.

type TypeRef = { kind: string; name: string | null; ofType: TypeRef | null };

const named = (kind: string, name: string): TypeRef => ({ kind, name, ofType: null });
const nonNull = (t: TypeRef): TypeRef => ({ kind: 'NON_NULL', name: null, ofType: t });
const list = (t: TypeRef): TypeRef => ({ kind: 'LIST', name: null, ofType: t });
const S = named('SCALAR', 'String');
const ID = named('SCALAR', 'ID');
const INT = named('SCALAR', 'Int');
const BOOL = named('SCALAR', 'Boolean');

function field(name: string, type: TypeRef, args: [string, TypeRef][] = []) {
  return {
    name,
    description: null,
    args: args.map(([n, t]) => ({ name: n, description: null, type: t, defaultValue: null })),
    type,
    isDeprecated: false,
    deprecationReason: null,
  };
}

function object(name: string, fields: ReturnType<typeof field>[]) {
  return {
    kind: 'OBJECT',
    name,
    description: null,
    fields,
    inputFields: null,
    interfaces: [],
    enumValues: null,
    possibleTypes: null,
  };
}

const scalar = (name: string) => ({
  kind: 'SCALAR',
  name,
  description: null,
  fields: null,
  inputFields: null,
  interfaces: null,
  enumValues: null,
  possibleTypes: null,
});

export const INTROSPECTION = {
  __schema: {
    queryType: { name: 'Query' },
    mutationType: { name: 'Mutation' },
    subscriptionType: null,
    types: [
      object('Query', [
        field('me', named('OBJECT', 'User')),
        field('user', named('OBJECT', 'User'), [['id', nonNull(ID)]]),
        field('users', nonNull(list(nonNull(named('OBJECT', 'User')))), [
          ['first', INT],
          ['after', S],
        ]),
        field('apiKeys', list(named('OBJECT', 'ApiKey'))),
        field('config', named('OBJECT', 'Config')),
      ]),
      object('Mutation', [
        field('login', named('OBJECT', 'Session'), [
          ['email', nonNull(S)],
          ['password', nonNull(S)],
        ]),
        field('createApiKey', named('OBJECT', 'ApiKey'), [['name', nonNull(S)]]),
      ]),
      object('User', [
        field('id', nonNull(ID)),
        field('email', nonNull(S)),
        field('name', S),
        field('role', S),
        field('createdAt', S),
        field('isAdmin', BOOL),
      ]),
      object('ApiKey', [
        field('id', nonNull(ID)),
        field('name', S),
        field('prefix', S),
        field('createdAt', S),
      ]),
      object('Session', [field('token', S), field('user', named('OBJECT', 'User'))]),
      object('Config', [field('environment', S), field('databaseUrl', S), field('stripeKey', S)]),
      scalar('String'),
      scalar('ID'),
      scalar('Int'),
      scalar('Boolean'),
    ],
    directives: [],
  },
};
