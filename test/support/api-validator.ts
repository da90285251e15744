import { Ajv2020 } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import { apiRoutes, openApiDocument } from '../../src-main/server/api-spec';

/**
 * Checks every JSON answer of the local API against the OpenAPI document generated from the
 * route table: an answer with a status the document does not list, or a body that does not match
 * its schema, is a violation.
 */
export class ApiAnswerChecker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();
  readonly violations: string[] = [];
  checked = 0;

  constructor() {
    addFormats(this.ajv);
    const doc = openApiDocument('http://127.0.0.1') as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>
      >;
    };
    for (const route of apiRoutes) {
      const op = doc.paths[route.path.replace(/:(\w+)/g, '{$1}')]![route.method]!;
      for (const [status, response] of Object.entries(op.responses)) {
        const schema = response.content?.['application/json']?.schema;
        if (schema) this.validators.set(`${route.method} ${route.path} ${status}`, this.ajv.compile(schema));
      }
    }
  }

  check(answer: {
    method: string;
    route: string | undefined;
    status: number;
    contentType: string;
    body: string;
  }): void {
    const route = apiRoutes.find((r) => r.method === answer.method.toLowerCase() && r.path === answer.route);
    if (!route || !answer.contentType.includes('application/json')) return;
    this.checked++;
    const validate = this.validators.get(`${route.method} ${route.path} ${answer.status}`);
    if (!validate) {
      this.violations.push(
        `${answer.method} ${answer.route} answered ${answer.status}, which the OpenAPI document does not list`,
      );
      return;
    }
    if (!validate(JSON.parse(answer.body))) {
      this.violations.push(
        `${answer.method} ${answer.route} ${answer.status}: ${this.ajv.errorsText(validate.errors)}`,
      );
    }
  }
}
