// The device's encrypted store: IndexedDB holding only ciphertext (AES-GCM, a fresh 12-byte IV per write, the
// record's id as additional data) under a random data key. The data key is kept only wrapped (AES-KW) by a key
// derived from the officer's password and the server's per-user salt (PBKDF2-SHA-256); neither the password nor
// an unwrapped key is ever stored or sent (docs/offline.md).

const DB_NAME = "treem-thuc-dia";
const DB_VERSION = 1;

export class WrongPassword extends Error {}

function request(operation) {
  return new Promise((resolve, reject) => {
    operation.onsuccess = () => resolve(operation.result);
    operation.onerror = () => reject(operation.error);
  });
}

function openDatabase() {
  const opening = indexedDB.open(DB_NAME, DB_VERSION);
  opening.onupgradeneeded = () => {
    const db = opening.result;
    db.createObjectStore("meta", { keyPath: "name" });
    db.createObjectStore("records", { keyPath: "id" });
  };
  return request(opening);
}

async function withStore(name, mode, work) {
  const db = await openDatabase();
  try {
    const transaction = db.transaction(name, mode);
    const result = await work(transaction.objectStore(name));
    await new Promise((resolve, reject) => {
      transaction.oncomplete = resolve;
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
    return result;
  } finally {
    db.close();
  }
}

function bytesFromBase64(text) {
  return Uint8Array.from(atob(text), (character) => character.charCodeAt(0));
}

async function wrappingKey(password, salt, iterations) {
  const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false,
    ["deriveKey"]);
  return crypto.subtle.deriveKey({ name: "PBKDF2", salt: bytesFromBase64(salt), iterations, hash: "SHA-256" },
    material, { name: "AES-KW", length: 256 }, false, ["wrapKey", "unwrapKey"]);
}

async function unwrap(wrapped, kek) {
  return crypto.subtle.unwrapKey("raw", wrapped, kek, "AES-KW", { name: "AES-GCM", length: 256 }, false,
    ["encrypt", "decrypt"]);
}

export async function readMeta() {
  return withStore("meta", "readonly", (store) => request(store.get("key")));
}

export async function updateMeta(changes) {
  const meta = await readMeta();
  await withStore("meta", "readwrite", (store) => request(store.put({ ...meta, ...changes })));
}

export async function wipe() {
  await withStore("meta", "readwrite", (store) => request(store.clear()));
  await withStore("records", "readwrite", (store) => request(store.clear()));
}

export class Vault {
  constructor(key) {
    this.key = key;
  }

  // A new vault for this user: a random data key, stored only wrapped by the password's key.
  static async create(password, { salt, iterations, userId, offlineUntil }) {
    const kek = await wrappingKey(password, salt, iterations);
    const dataKey = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt", "decrypt"]);
    const wrapped = await crypto.subtle.wrapKey("raw", dataKey, kek, "AES-KW");
    await withStore("meta", "readwrite", (store) => request(store.put({
      name: "key", wrapped, salt, iterations, user_id: userId, offline_until: offlineUntil,
    })));
    return new Vault(await unwrap(wrapped, kek));
  }

  // The vault of this device, opened with the password; WrongPassword when the key does not unwrap.
  static async unlock(password) {
    const meta = await readMeta();
    if (!meta) throw new Error("no vault");
    const kek = await wrappingKey(password, meta.salt, meta.iterations);
    try {
      return new Vault(await unwrap(meta.wrapped, kek));
    } catch (error) {
      throw new WrongPassword();
    }
  }

  async put(id, value) {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: new TextEncoder().encode(id) },
      this.key, new TextEncoder().encode(JSON.stringify(value)));
    await withStore("records", "readwrite", (store) => request(store.put({ id, iv, data })));
  }

  async #open(item) {
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: item.iv, additionalData: new TextEncoder().encode(item.id) }, this.key, item.data);
    return JSON.parse(new TextDecoder().decode(plain));
  }

  async get(id) {
    const item = await withStore("records", "readonly", (store) => request(store.get(id)));
    return item ? this.#open(item) : null;
  }

  async all(prefix) {
    const items = await withStore("records", "readonly", (store) => request(store.getAll()));
    const chosen = items.filter((item) => item.id.startsWith(prefix));
    return Promise.all(chosen.map((item) => this.#open(item)));
  }
}
