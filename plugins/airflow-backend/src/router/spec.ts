/**
 * Lookups in the plugin's OpenAPI spec for what the generated router does
 * not do itself: which methods a path declares (for 405 answers), and the
 * human message a schema carries for its constraint (`x-error-message`), so
 * that a refused request reads "note may not contain control characters",
 * not a regular expression.
 */

type Node = Record<string, any>;

/** HTTP methods a path item can declare. */
const METHODS = [
  'get',
  'put',
  'post',
  'delete',
  'patch',
  'options',
  'head',
  'trace',
];

/** A path of the spec, matched against request paths. */
export interface SpecRoute {
  /** The spec's path, e.g. `/entities/{kind}/{namespace}/{name}/dags`. */
  path: string;
  regex: RegExp;
  item: Node;
  /** Declared methods, lower case; a declared GET also answers HEAD. */
  methods: string[];
}

/** The spec's paths, for matching requests. */
export class SpecIndex {
  readonly #spec: Node;
  readonly #routes: SpecRoute[];

  constructor(spec: { paths: Record<string, object> }) {
    this.#spec = spec as Node;
    this.#routes = Object.entries(spec.paths).map(([path, item]) => {
      const pattern = path
        .split(/\{[^}]+\}/)
        .map(part => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
        .join('[^/]+');
      const methods = Object.keys(item).filter(k => METHODS.includes(k));
      if (methods.includes('get') && !methods.includes('head')) {
        methods.push('head');
      }
      return {
        path,
        regex: new RegExp(`^${pattern}/?$`),
        item: item as Node,
        methods,
      };
    });
  }

  /** The spec path matching a request path, if any. */
  route(path: string): SpecRoute | undefined {
    return this.#routes.find(r => r.regex.test(path));
  }

  /**
   * The declared parameters of an operation of a route, path-level and
   * operation-level, `$ref`s resolved.
   */
  parameters(route: SpecRoute, method: string): Node[] {
    const operation = this.resolve(route.item[method.toLowerCase()]);
    return [...(route.item.parameters ?? []), ...(operation?.parameters ?? [])]
      .map(p => this.resolve(p))
      .filter((p): p is Node => !!p);
  }

  /** The raw (still encoded) path segments of a request path, by the route's parameter names. */
  pathValues(route: SpecRoute, requestPath: string): Record<string, string> {
    const names = [...route.path.matchAll(/\{([^}]+)\}/g)].map(m => m[1]);
    const pattern = route.path
      .split(/\{[^}]+\}/)
      .map(part => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
      .join('([^/]+)');
    const match = new RegExp(`^${pattern}/?$`).exec(requestPath);
    const out: Record<string, string> = {};
    names.forEach((name, i) => {
      if (match?.[i + 1] !== undefined) out[name] = match[i + 1];
    });
    return out;
  }

  /** Follows local `$ref`s (`#/components/...`). */
  resolve(node: Node | undefined): Node | undefined {
    let current = node;
    for (let hops = 0; current?.$ref && hops < 20; hops++) {
      current = String(current.$ref)
        .replace(/^#\//, '')
        .split('/')
        .reduce<Node | undefined>((n, key) => n?.[key], this.#spec);
    }
    return current;
  }

  /**
   * The schema at `location/segments` of an operation: `body/conf`,
   * `params/runId`, `query/limit`.
   */
  schemaAt(
    route: SpecRoute,
    method: string,
    location: string,
    segments: string[],
  ): Node | undefined {
    const operation = this.resolve(route.item[method]);
    if (!operation) return undefined;
    let schema: Node | undefined;
    let rest = segments;
    if (location === 'body') {
      schema = this.resolve(
        this.resolve(operation.requestBody)?.content?.['application/json']
          ?.schema,
      );
    } else {
      const where = location === 'params' ? 'path' : location;
      const params = [
        ...(route.item.parameters ?? []),
        ...(operation.parameters ?? []),
      ]
        .map(p => this.resolve(p))
        .filter((p): p is Node => !!p);
      const param = params.find(p => p.in === where && p.name === segments[0]);
      schema = this.resolve(param?.schema);
      rest = segments.slice(1);
    }
    for (const segment of rest) {
      if (!schema) return undefined;
      schema = this.resolve(
        schema.properties?.[segment] ??
          (/^\d+$/.test(segment) ? schema.items : undefined) ??
          (typeof schema.additionalProperties === 'object'
            ? schema.additionalProperties
            : undefined),
      );
    }
    return schema;
  }
}

const LOCATION_NAMES: Record<string, string> = {
  body: 'request body',
  params: 'path',
  query: 'query',
};

/** Constraints whose failure the schema's `x-error-message` explains. */
const EXPLAINED =
  /^must (match pattern|match format|be \w+$|NOT have (more|fewer) than)/;

/**
 * Rewrites the message of a request the validator refused into plain words:
 * `request/body/note must match pattern "…"` becomes
 * `Invalid request body: note may not contain control characters` when the
 * schema says so in `x-error-message`; other messages keep the validator's
 * words without the regular expression.
 */
export function humanizeValidationMessage(
  message: string,
  index: SpecIndex,
  request: { method: string; path: string; body?: unknown },
): string {
  const route = index.route(request.path);
  const method = request.method.toLowerCase();
  const parts = message.split(/, (?=request\/)/).map(part => {
    const match = /^request\/(body|params|query)(?:\/(\S+))? (.*)$/s.exec(part);
    if (!match) return part;
    const [, location, path = '', problem] = match;
    const segments = path ? path.split('/') : [];
    const explanation =
      route && segments.length > 0 && EXPLAINED.test(problem)
        ? index.schemaAt(route, method, location, segments)?.['x-error-message']
        : undefined;
    const field = segments.join('.');
    if (problem === 'must NOT have additional properties' && route) {
      return unknownFields(index, route, method, location, segments, request);
    }
    const words =
      typeof explanation === 'string'
        ? explanation
        : problem.replace(/ "\^.*\$"$/, ' (see the API spec)');
    return `Invalid ${LOCATION_NAMES[location]}: ${
      field ? `${field} ` : ''
    }${words}`;
  });
  return [...new Set(parts)].join('; ');
}

/** Names the fields of a body (or body object) that its schema does not declare. */
function unknownFields(
  index: SpecIndex,
  route: NonNullable<ReturnType<SpecIndex['route']>>,
  method: string,
  location: string,
  segments: string[],
  request: { body?: unknown },
): string {
  const where = `Invalid ${LOCATION_NAMES[location]}`;
  const schema =
    location === 'body'
      ? index.schemaAt(route, method, location, segments)
      : undefined;
  const value = segments.reduce<unknown>(
    (v, key) =>
      typeof v === 'object' && v !== null ? (v as any)[key] : undefined,
    request.body,
  );
  const allowed = Object.keys(schema?.properties ?? {});
  const unknown =
    typeof value === 'object' && value !== null
      ? Object.keys(value).filter(k => !allowed.includes(k))
      : [];
  const prefix = segments.length ? `${segments.join('.')}: ` : '';
  return unknown.length > 0
    ? `${where}: ${prefix}unknown field${
        unknown.length > 1 ? 's' : ''
      } ${unknown.map(k => `'${k}'`).join(', ')} (allowed: ${
        allowed.join(', ') || 'none'
      })`
    : `${where}: ${prefix}must NOT have additional properties`;
}

/** True for the messages of the OpenAPI validator (as opposed to the handlers' own InputErrors). */
export function isValidatorMessage(message: string): boolean {
  return /^(request\/|Unknown query parameter|unsupported media type)/i.test(
    message,
  );
}
