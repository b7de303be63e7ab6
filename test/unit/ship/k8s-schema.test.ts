/**
 * examples/kubernetes/*.yaml against the Kubernetes API schema, offline:
 *  - kubernetes-models' validators (ajv code generated from Kubernetes' OpenAPI spec) check
 *    kinds, required fields, types and enums;
 *  - that OpenAPI spec allows unknown fields (the API server rejects them only under strict
 *    field validation), so a typo such as `capabilites:` would silently drop the security
 *    settings: the manifests are also type-checked with TypeScript against the same package's
 *    interfaces, where an object literal with an unknown property is an error.
 * Each check is shown to reject broken copies of the real manifests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { Pod, type IPod } from 'kubernetes-models/v1/Pod';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';

const here = dirname(fileURLToPath(import.meta.url));
// Compiled to build/test/unit/ship/: the repository is four levels up.
const root = resolve(here, '../../../..');
const k8sDir = join(root, 'examples/kubernetes');

type Manifest = Record<string, unknown> & { kind?: unknown; apiVersion?: unknown };

function loadManifests(): { file: string; docs: Manifest[] }[] {
  const files = readdirSync(k8sDir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  return files.map((f) => {
    const docs = parseAllDocuments(readFileSync(join(k8sDir, f), 'utf8'));
    const out: Manifest[] = [];
    for (const d of Array.isArray(docs) ? docs : [docs]) {
      assert.deepEqual(d.errors, [], `${f}: YAML errors`);
      out.push(d.toJS() as Manifest);
    }
    return { file: f, docs: out };
  });
}

/** kubernetes-models' validator for one object; throws with the schema errors. */
function schemaValidate(doc: Manifest): void {
  const key = `${String(doc.apiVersion)}/${String(doc.kind)}`;
  switch (key) {
    case 'v1/Pod':
      new Pod(doc as never).validate();
      return;
    case 'v1/ConfigMap':
      new ConfigMap(doc as never).validate();
      return;
    default:
      throw new Error(`no schema wired for ${key}`);
  }
}

const TS_TYPES: Record<string, [string, string]> = {
  'v1/Pod': ['kubernetes-models/v1/Pod', 'IPod'],
  'v1/ConfigMap': ['kubernetes-models/v1/ConfigMap', 'IConfigMap'],
};

/**
 * TypeScript diagnostics of `const dI: IKind = <doc I>` for each doc (excess property checks),
 * one list per doc. One program for all docs: creating a program is the slow part.
 */
function strictTypeErrors(docs: Manifest[]): string[][] {
  let text = '';
  const starts: number[] = [];
  docs.forEach((doc, i) => {
    const t = TS_TYPES[`${String(doc.apiVersion)}/${String(doc.kind)}`];
    if (!t)
      throw new Error(`no TypeScript type wired for ${String(doc.apiVersion)}/${String(doc.kind)}`);
    starts.push(text.length);
    text += `import type { ${t[1]} as T${i} } from '${t[0]}';\n`;
    text += `export const d${i}: T${i} = ${JSON.stringify(doc, null, 1)};\n`;
  });
  // A virtual file inside the repository, so that node_modules resolves as for real sources.
  const virtual = join(root, 'test/unit/ship/__k8s_manifest_check__.ts');
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const orig = {
    getSourceFile: host.getSourceFile,
    fileExists: host.fileExists,
    readFile: host.readFile,
  };
  host.getSourceFile = (name, lang, ...rest) =>
    resolve(name) === virtual
      ? ts.createSourceFile(name, text, lang)
      : orig.getSourceFile(name, lang, ...rest);
  host.fileExists = (name) => resolve(name) === virtual || orig.fileExists(name);
  host.readFile = (name) => (resolve(name) === virtual ? text : orig.readFile(name));
  const program = ts.createProgram([virtual], options, host);
  const out: string[][] = docs.map(() => []);
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const msg = ts.flattenDiagnosticMessageText(d.messageText, ' ');
    let i = 0;
    while (d.start !== undefined && i + 1 < starts.length && starts[i + 1]! <= d.start) i++;
    // A diagnostic outside the virtual file (none expected) is charged to every doc.
    if (d.file && resolve(d.file.fileName) === virtual) out[i]!.push(msg);
    else for (const o of out) o.push(msg);
  }
  return out;
}

const manifests = loadManifests();
const allDocs = manifests.flatMap((m) => m.docs);
const pod = allDocs.find((d) => d.kind === 'Pod') as unknown as IPod;

test('examples/kubernetes holds a ConfigMap and a Pod', () => {
  assert.ok(manifests.length >= 1);
  assert.deepEqual(allDocs.map((d) => d.kind).sort(), ['ConfigMap', 'Pod']);
});

test('every manifest passes the Kubernetes schema validators', () => {
  for (const d of allDocs) schemaValidate(d);
});

test('every manifest type-checks strictly (no unknown fields)', () => {
  assert.deepEqual(
    strictTypeErrors(allDocs),
    allDocs.map(() => []),
  );
});

/** A deep copy of the Pod, changed by `f`. */
function brokenPod(
  // biome-ignore lint/suspicious/noExplicitAny: broken copies reach into fields the Pod type forbids
  f: (p: any) => void,
): Manifest {
  // biome-ignore lint/suspicious/noExplicitAny: broken copies reach into fields the Pod type forbids
  const p = structuredClone(pod) as any;
  f(p);
  return p as Manifest;
}

// biome-ignore lint/suspicious/noExplicitAny: broken copies reach into fields the Pod type forbids
const mainSc = (p: any) => p.spec.containers[0].securityContext;

test('the schema validator rejects broken Pods (it is not vacuous)', () => {
  const broken: [string, Manifest, RegExp][] = [
    [
      'runAsUser as a string',
      brokenPod((p) => {
        mainSc(p).runAsUser = '0';
      }),
      /runAsUser must be integer/,
    ],
    [
      'capabilities.add not a list',
      brokenPod((p) => {
        mainSc(p).capabilities.add = 'SETUID';
      }),
      /capabilities\/add must be array/,
    ],
    [
      'no containers',
      brokenPod((p) => {
        delete p.spec.containers;
      }),
      /required property containers/,
    ],
    [
      'container without name',
      brokenPod((p) => {
        delete p.spec.containers[0].name;
      }),
      /required property name/,
    ],
    [
      'unknown restartPolicy',
      brokenPod((p) => {
        p.spec.restartPolicy = 'Sometimes';
      }),
      /allowed values/,
    ],
    [
      'allowPrivilegeEscalation as a string',
      brokenPod((p) => {
        mainSc(p).allowPrivilegeEscalation = 'false';
      }),
      /must be boolean/,
    ],
    [
      'volumeMount without mountPath',
      brokenPod((p) => {
        delete p.spec.containers[0].volumeMounts[0].mountPath;
      }),
      /required property mountPath/,
    ],
  ];
  for (const [what, doc, re] of broken) {
    assert.throws(() => schemaValidate(doc), re, what);
  }
});

test('the strict type check rejects misspelt and misplaced fields', () => {
  const broken: [string, Manifest, RegExp][] = [
    [
      'capabilites (typo)',
      brokenPod((p) => {
        const sc = mainSc(p);
        sc.capabilites = sc.capabilities;
        delete sc.capabilities;
      }),
      /capabilites/,
    ],
    [
      'readOnlyRootFileSystem (case)',
      brokenPod((p) => {
        const sc = mainSc(p);
        sc.readOnlyRootFileSystem = true;
        delete sc.readOnlyRootFilesystem;
      }),
      /readOnlyRootFileSystem/,
    ],
    [
      'securityContext at pod level with container-only field',
      brokenPod((p) => {
        p.spec.securityContext = { allowPrivilegeEscalation: false };
      }),
      /allowPrivilegeEscalation/,
    ],
  ];
  const errs = strictTypeErrors([...broken.map((b) => b[1]), pod as unknown as Manifest]);
  broken.forEach(([what, doc, re], i) => {
    // The OpenAPI validators let unknown fields through: that is why the second check exists.
    assert.doesNotThrow(() => schemaValidate(doc), what);
    assert.ok(
      errs[i]!.some((e) => re.test(e)),
      `${what}: ${errs[i]!.join(' | ') || 'no error'}`,
    );
  });
  // ... and the intact Pod in the same program has none: the errors come from the breakage.
  assert.deepEqual(errs[broken.length], []);
});

test('the ConfigMap carries the same ecelerity.conf as the example image', () => {
  const cm = allDocs.find((d) => d.kind === 'ConfigMap') as { data?: Record<string, string> };
  const image = readFileSync(join(root, 'images/container/ecelerity.conf'), 'utf8');
  assert.equal(cm.data?.['ecelerity.conf'], image);
});

test('the Pod runs the copied secwrap with the ConfigMap config, /tmp on an emptyDir', () => {
  const spec = pod.spec!;
  const init = spec.initContainers?.[0];
  const main = spec.containers[0]!;
  assert.deepEqual(main.command?.slice(0, 4), [
    '/opt/secwrap/secwrap',
    '-c',
    '/etc/ecelerity/ecelerity.conf',
    '--',
  ]);
  assert.deepEqual(init?.args, [main.command?.[0]]);
  const mounts = Object.fromEntries((main.volumeMounts ?? []).map((m) => [m.mountPath, m.name]));
  const vols = Object.fromEntries((spec.volumes ?? []).map((v) => [v.name, v]));
  assert.ok(vols[mounts['/tmp']!]?.emptyDir, '/tmp must be an emptyDir (readOnlyRootFilesystem)');
  assert.equal(vols[mounts['/etc/ecelerity']!]?.configMap?.name, 'secwrap-ecelerity-conf');
  assert.ok(vols[mounts['/opt/secwrap']!]?.emptyDir);
  assert.ok(
    init?.volumeMounts?.some(
      (m) => m.mountPath === '/opt/secwrap' && m.name === mounts['/opt/secwrap'],
    ),
  );
});
